// PGlite is one session shared by every client of the wire server, so a named prepared statement or portal
// ("q1") of one client would collide with another client's "q1". Each connection's names are given its own
// prefix on the way in; the unnamed statement and portal ("") stay as they are (a client owns the session for
// the whole exchange that uses them). Responses carry no names, so nothing is rewritten on the way out.

/** The C string at `at` and the offset after its terminator. */
function cstring(buf: Buffer, at: number): [string, number] {
  const end = buf.indexOf(0, at);
  if (end < 0) throw new Error("unterminated string in a protocol message");
  return [buf.toString("utf8", at, end), end + 1];
}

const scoped = (prefix: string, name: string) => (name === "" ? "" : `${prefix}${name}`);

function rebuild(type: number, parts: (Buffer | string)[]): Buffer {
  const body = Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(`${p}\0`, "utf8") : p)));
  const head = Buffer.alloc(5);
  head[0] = type;
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

export interface StatementNames {
  /** A named statement this connection prepared (Parse) or closed (Close 'S'): to close when it leaves. */
  prepared(name: string): void;
  closed(name: string): void;
}

/** One frontend message with this connection's statement and portal names made its own. */
export function scopeNames(message: Buffer, prefix: string, names: StatementNames): Buffer {
  const type = message[0];
  if (type === 0x50 /* P */) {
    const [name, rest] = cstring(message, 5);
    if (name === "") return message;
    names.prepared(scoped(prefix, name));
    return rebuild(type, [scoped(prefix, name), message.subarray(rest)]);
  }
  if (type === 0x42 /* B */) {
    const [portal, afterPortal] = cstring(message, 5);
    const [statement, rest] = cstring(message, afterPortal);
    if (portal === "" && statement === "") return message;
    return rebuild(type, [scoped(prefix, portal), scoped(prefix, statement), message.subarray(rest)]);
  }
  if (type === 0x45 /* E */) {
    const [portal, rest] = cstring(message, 5);
    if (portal === "") return message;
    return rebuild(type, [scoped(prefix, portal), message.subarray(rest)]);
  }
  if (type === 0x44 /* D */ || type === 0x43 /* C */) {
    const kind = message.subarray(5, 6);
    const [name] = cstring(message, 6);
    if (name === "") return message;
    if (type === 0x43 && kind[0] === 0x53 /* S */) names.closed(scoped(prefix, name));
    return rebuild(type, [kind, scoped(prefix, name)]);
  }
  return message;
}

/** Close messages for statements a departing connection left prepared, ending with Sync. */
export function closeStatements(names: Iterable<string>): Buffer {
  const parts = [...names].map((n) => rebuild(0x43, [Buffer.from("S"), n]));
  return Buffer.concat([...parts, Buffer.from([0x53, 0, 0, 0, 4])]);
}
