import crypto from "node:crypto";
import net from "node:net";
import type { PGlite } from "@electric-sql/pglite";
import { closeStatements, scopeNames } from "./wire-names";

// Tandem's Postgres wire-protocol front for one PGlite. PGlite is ONE session, so a client owns it from its
// first message until PGlite reports ReadyForQuery with status idle: a whole extended-protocol exchange
// (Parse..Sync) or a whole transaction runs without anybody else's messages in between. Clients must
// authenticate (MD5 challenge) with the password the owner keeps in a 0600 file.

const PROTOCOL_3 = 196_608;
const SSL_REQUEST = 80_877_103;
const GSSENC_REQUEST = 80_877_104;
const CANCEL_REQUEST = 80_877_102;
const MAX_MESSAGE = 256 * 1024 * 1024;

export interface WireServerOptions {
  pglite: PGlite;
  /**
   * A new PGlite on the same folder, after the current one PANICked (a full disk while writing the WAL): PGlite,
   * like Postgres, must then restart, and recovery replays the log. Without it the server keeps failing clearly.
   */
  reopen?: () => Promise<PGlite>;
  password: string;
  host?: string;
  port?: number;
  /** A client that holds the session inside a transaction and sends nothing for this long is disconnected. */
  idleInTransactionMs?: number;
  log?: (message: string) => void;
}

export interface WireServer {
  port: number;
  stop(): Promise<void>;
}

function errorResponse(severity: "ERROR" | "FATAL", code: string, message: string): Buffer {
  const fields = Buffer.concat([
    Buffer.from(`S${severity}\0V${severity}\0C${code}\0M${message}\0`, "utf8"),
    Buffer.from([0]),
  ]);
  const head = Buffer.alloc(5);
  head.write("E", 0, "latin1");
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

function md5Challenge(salt: Buffer): Buffer {
  const m = Buffer.alloc(13);
  m.write("R", 0, "latin1");
  m.writeInt32BE(12, 1);
  m.writeInt32BE(5, 5);
  salt.copy(m, 9);
  return m;
}

function md5Hex(data: Buffer | string): string {
  return crypto.createHash("md5").update(data).digest("hex");
}

/** What a client must answer to the MD5 challenge (the algorithm libpq and node-postgres implement). */
export function md5Answer(password: string, user: string, salt: Buffer): string {
  return "md5" + md5Hex(Buffer.concat([Buffer.from(md5Hex(password + user)), salt]));
}

/** The transaction status of the last ReadyForQuery in a backend response, or undefined when it has none. */
export function readyStatus(out: Uint8Array): "I" | "T" | "E" | undefined {
  let status: "I" | "T" | "E" | undefined;
  let i = 0;
  while (i + 5 <= out.length) {
    const type = out[i]!;
    const len = ((out[i + 1]! << 24) | (out[i + 2]! << 16) | (out[i + 3]! << 8) | out[i + 4]!) >>> 0;
    if (type === 0x5a /* Z */ && len === 5 && i + 6 <= out.length) status = String.fromCharCode(out[i + 5]!) as "I" | "T" | "E";
    i += 1 + len;
  }
  return status;
}

function startupParams(packet: Buffer): Record<string, string> {
  const params: Record<string, string> = {};
  const parts = packet.subarray(8).toString("utf8").split("\0");
  for (let i = 0; i + 1 < parts.length; i += 2) if (parts[i]) params[parts[i]!] = parts[i + 1]!;
  return params;
}

/** FIFO ownership of the one PGlite session. */
class SessionLock {
  private owner: Connection | undefined;
  private readonly waiting: { conn: Connection; grant: () => void }[] = [];

  holds(conn: Connection): boolean {
    return this.owner === conn;
  }

  acquire(conn: Connection): Promise<void> {
    if (this.owner === conn) return Promise.resolve();
    if (!this.owner) {
      this.owner = conn;
      return Promise.resolve();
    }
    return new Promise((grant) => this.waiting.push({ conn, grant }));
  }

  release(conn: Connection): void {
    const i = this.waiting.findIndex((w) => w.conn === conn);
    if (i >= 0) this.waiting.splice(i, 1);
    if (this.owner !== conn) return;
    const next = this.waiting.shift();
    this.owner = next?.conn;
    next?.grant();
  }
}

interface SharedState {
  pglite: PGlite;
  password: string;
  lock: SessionLock;
  idleInTransactionMs: number;
  log: (m: string) => void;
  forget(c: Connection): void;
  /** Restarts PGlite after a PANIC; every client is disconnected first. */
  restart(reason: string): Promise<void>;
  /** Set while PGlite restarts: clients wait for it before they get the session. */
  restarting?: Promise<void>;
}

/** Whether a backend response carries an ErrorResponse of severity PANIC (the backend is gone). */
function panicked(out: Uint8Array): boolean {
  // A view, not a copy: this runs on every answer.
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength).includes("SPANIC\0", 0, "latin1");
}

class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  phase: "startup" | "password" | "ready" | "closed" = "startup";
  private startupPacket: Buffer | undefined;
  private user = "";
  private readonly salt = crypto.randomBytes(4);
  private static nextId = 1;
  /** This connection's prefix for named statements and portals in the shared session (wire-names.ts). */
  private readonly prefix = `tandem_c${Connection.nextId++}_`;
  private readonly statements = new Set<string>();
  private readonly queue: Buffer[] = [];
  private pumping = false;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: net.Socket,
    private readonly server: SharedState,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("error", () => void this.close()); // a reset client: the close below cleans up
    socket.on("close", () => void this.close());
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      const untyped = this.phase === "startup";
      const head = untyped ? 4 : 5;
      if (this.buffer.length < head) return;
      const len = this.buffer.readInt32BE(untyped ? 0 : 1);
      if (len < 4 || len > MAX_MESSAGE) {
        this.fail("08P01", "invalid message length");
        return;
      }
      const total = untyped ? len : len + 1;
      if (this.buffer.length < total) return;
      const message = this.buffer.subarray(0, total);
      this.buffer = this.buffer.subarray(total);
      if (untyped) {
        if (!this.startup(Buffer.from(message))) return;
      } else if (this.phase === "password") {
        this.password(message);
      } else if (this.phase === "ready") {
        try {
          this.queue.push(scopeNames(Buffer.from(message), this.prefix, {
            prepared: (n) => this.statements.add(n),
            closed: (n) => this.statements.delete(n),
          }));
        } catch {
          this.fail("08P01", "malformed protocol message");
          return;
        }
        void this.pump();
      }
    }
  }

  /** Handles one startup-phase packet; false when the connection ended. */
  private startup(packet: Buffer): boolean {
    const code = packet.length >= 8 ? packet.readInt32BE(4) : 0;
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      this.socket.write("N"); // loopback only: no TLS, the client continues in clear
      return true;
    }
    if (code === CANCEL_REQUEST) {
      this.socket.end(); // cancelling a running query is not supported by PGlite
      this.phase = "closed";
      return false;
    }
    if (code !== PROTOCOL_3) {
      this.fail("08P01", "unsupported frontend protocol");
      return false;
    }
    this.startupPacket = packet;
    this.user = startupParams(packet).user ?? "";
    this.phase = "password";
    this.socket.write(md5Challenge(this.salt));
    return true;
  }

  private password(message: Buffer): void {
    if (message[0] !== 0x70 /* p */) {
      this.fail("28000", "password authentication required");
      return;
    }
    const given = message.subarray(5, message.length - 1);
    const expected = Buffer.from(md5Answer(this.server.password, this.user, this.salt));
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
      this.fail("28P01", `password authentication failed for user "${this.user}"`);
      return;
    }
    this.phase = "ready";
    // PGlite answers the startup packet itself (AuthenticationOk, parameters, ReadyForQuery).
    this.queue.push(this.startupPacket!);
    void this.pump();
  }

  /** Runs this client's messages in order, each while owning the session. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length && this.phase === "ready") {
        const message = this.nextExchange();
        if (message[0] === 0x58 /* X: Terminate */) {
          await this.close();
          return;
        }
        this.clearIdle();
        await this.server.lock.acquire(this);
        if (this.server.restarting) {
          this.fail("57P03", "the embedded database is restarting after a storage failure (is the disk full?); try again shortly");
          return;
        }
        // close() may have run while this awaited the session; the checker cannot see that.
        if ((this.phase as Connection["phase"]) !== "ready") break;
        let out: Uint8Array;
        try {
          out = await this.server.pglite.runExclusive(() => this.server.pglite.execProtocolRaw(message));
        } catch (e) {
          // PGlite itself threw (its WASM aborted): its state is unknown, so it restarts like a crashed Postgres.
          const reason = e instanceof Error ? e.message : String(e);
          this.fail("58000", `the embedded database failed (${reason}); it is restarting, connect again`);
          await this.server.restart(`an internal failure: ${reason}`);
          return;
        }
        if (panicked(out)) {
          this.socket.write(out); // the client learns why (e.g. no space left on device) from PGlite's own error
          await this.server.restart("a storage failure (PANIC)");
          return;
        }
        let status = readyStatus(out);
        const last = message[0] === 0x53 || message[0] === 0x51 ? message[0] : endsWithSync(message) ? 0x53 : undefined;
        if (!status && last !== undefined) {
          // PGlite skipped the end of the exchange after a storage failure (seen on a full disk): the client waits
          // for ReadyForQuery, so end the exchange ourselves.
          const more = await this.server.pglite.runExclusive(() => this.server.pglite.execProtocolRaw(SYNC));
          out = Buffer.concat([out, more]);
          status = readyStatus(out);
        }
        if (out.length) this.socket.write(out);
        if (status === "I") this.server.lock.release(this);
        else if (this.server.lock.holds(this)) this.armIdle(); // inside a transaction or an unfinished exchange
      }
    } finally {
      this.pumping = false;
    }
  }

  /**
   * The queued messages up to and including the next Sync or Query, as one buffer: PGlite runs them in one
   * call (an extended-protocol query is Parse, Bind, Describe, Execute, Sync), which costs a fifth of five calls.
   */
  private nextExchange(): Buffer {
    const first = this.queue.shift()!;
    if (first === this.startupPacket || first[0] === 0x58 || first[0] === 0x53 /* S */ || first[0] === 0x51 /* Q */) return first;
    const parts = [first];
    while (this.queue.length) {
      const type = this.queue[0]![0];
      if (type === 0x58) break; // Terminate is handled on its own
      parts.push(this.queue.shift()!);
      if (type === 0x53 || type === 0x51) break;
    }
    return parts.length === 1 ? first : Buffer.concat(parts);
  }

  private armIdle(): void {
    this.clearIdle();
    this.idleTimer = setTimeout(() => {
      this.server.log("closing a client that stayed idle inside a transaction");
      this.socket.write(errorResponse("FATAL", "25P03", "terminating connection due to idle-in-transaction timeout"));
      void this.close();
    }, this.server.idleInTransactionMs);
    this.idleTimer.unref();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private fail(code: string, message: string): void {
    if (this.phase === "closed") return;
    this.socket.write(errorResponse("FATAL", code, message));
    void this.close();
  }

  /** Ends whatever this client left open in the session: an unfinished exchange, then its transaction. */
  private async resetSession(): Promise<void> {
    const { pglite } = this.server;
    try {
      await pglite.runExclusive(async () => {
        await pglite.execProtocolRaw(SYNC);
        if (pglite.isInTransaction()) await pglite.execProtocolRaw(simpleQuery("ROLLBACK"));
      });
    } catch (e) {
      this.server.log(`could not reset the embedded session: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Disconnects without touching PGlite (it is being replaced). */
  abandon(message: string): void {
    if (this.phase === "closed") return;
    this.phase = "closed";
    this.clearIdle();
    this.queue.length = 0;
    this.server.forget(this);
    this.server.lock.release(this);
    if (this.socket.writable) this.socket.write(errorResponse("FATAL", "57P01", message));
    this.socket.end();
    this.socket.destroy();
  }

  async close(): Promise<void> {
    if (this.phase === "closed") return;
    const wasReady = this.phase === "ready";
    this.phase = "closed";
    this.clearIdle();
    this.queue.length = 0;
    this.server.forget(this);
    if (wasReady && this.server.lock.holds(this)) await this.resetSession();
    if (wasReady && this.statements.size && !this.server.restarting) {
      // Named statements outlive the client in the shared session: close them, or the next client's names collide.
      await this.server.lock.acquire(this);
      const { pglite } = this.server;
      await pglite.runExclusive(() => pglite.execProtocolRaw(closeStatements(this.statements))).catch((e: unknown) => {
        this.server.log(`could not close a departed client's statements: ${e instanceof Error ? e.message : String(e)}`);
      });
    }
    this.server.lock.release(this);
    this.socket.end();
    this.socket.destroy();
  }
}

const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);

/** Whether the last message of a concatenated exchange is a Sync. */
function endsWithSync(exchange: Buffer): boolean {
  let i = 0;
  let lastType = 0;
  while (i + 5 <= exchange.length) {
    lastType = exchange[i]!;
    i += 1 + exchange.readInt32BE(i + 1);
  }
  return lastType === 0x53;
}

function simpleQuery(sql: string): Buffer {
  const body = Buffer.from(`${sql}\0`, "utf8");
  const head = Buffer.alloc(5);
  head.write("Q", 0, "latin1");
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

export async function startWireServer(opts: WireServerOptions): Promise<WireServer> {
  const lock = new SessionLock();
  const connections = new Set<Connection>();
  const log = opts.log ?? (() => undefined);
  const shared: SharedState = {
    pglite: opts.pglite,
    password: opts.password,
    lock,
    idleInTransactionMs: opts.idleInTransactionMs ?? 60_000,
    log,
    forget: (c: Connection) => connections.delete(c),
    restart: async (reason: string) => {
      if (shared.restarting) return shared.restarting;
      shared.restarting = (async () => {
        log(`the embedded database stopped after ${reason}; restarting it (recovery replays the log)`);
        for (const c of [...connections]) c.abandon("the embedded database restarted after a storage failure; connect again");
        const dead = shared.pglite;
        // A PANICked PGlite may never answer again: don't wait on its close.
        void dead.close().catch(() => undefined);
        for (let attempt = 1; opts.reopen; attempt++) {
          try {
            shared.pglite = await opts.reopen();
            log("the embedded database is back");
            return;
          } catch (e) {
            log(`restarting the embedded database failed (${e instanceof Error ? e.message : String(e)}); retrying`);
            await new Promise((r) => setTimeout(r, Math.min(10_000, 250 * 2 ** attempt)));
          }
        }
      })().finally(() => {
        shared.restarting = undefined;
      });
      return shared.restarting;
    },
  };
  const server = net.createServer((socket) => connections.add(new Connection(socket, shared)));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    stop: async () => {
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...connections].map((c) => c.close()));
      await closing;
    },
  };
}
