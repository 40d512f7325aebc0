import crypto from "node:crypto";
import type { BetterAuthOptions } from "better-auth";
import type { DBAdapter, DBTransactionAdapter, Where } from "better-auth";

// Session tokens are stored as SHA-256 hashes, so a copy of the database (a backup, a read-only leak) holds no
// token that signs anyone in. Better Auth stores the token itself; this wraps its database adapter: a token
// going in is hashed, and a row found by its token is handed back with the token the caller gave. Rows found
// otherwise (a user's session list) carry the hash, which signs nobody in: lookups hash whatever they get.
// Destructive calls (update, delete) also take a stored hash as it is, so a listed session can be deleted.

const HASHED = "sha256:";
const SESSION = "session";
const TOKEN = "token";

export function hashSessionToken(token: string): string {
  return token.startsWith(HASHED) ? token : `${HASHED}${crypto.createHash("sha256").update(token).digest("hex")}`;
}

/** Hash for a lookup: a value that is already a hash is hashed again, so it can never match (or sign in). */
function hashForLookup(token: string): string {
  return `${HASHED}${crypto.createHash("sha256").update(token).digest("hex")}`;
}

type Hasher = (token: string) => string;

function hashWhere(where: Where[] | undefined, hash: Hasher): { where: Where[] | undefined; plain: string | undefined } {
  let plain: string | undefined;
  const mapped = where?.map((w) => {
    if (w.field !== TOKEN) return w;
    if (typeof w.value === "string") {
      if ((w.operator ?? "eq") === "eq") plain = w.value;
      return { ...w, value: hash(w.value) };
    }
    if (Array.isArray(w.value)) return { ...w, value: w.value.map((v) => (typeof v === "string" ? hash(v) : v)) as string[] };
    return w;
  });
  return { where: mapped, plain };
}

/** The row with the caller's own token in place of its hash (only when it was looked up by that token). */
function withToken<T>(row: T, plain: string | undefined): T {
  if (plain === undefined || row === null || typeof row !== "object" || !(TOKEN in row)) return row;
  return { ...row, [TOKEN]: plain };
}

function wrap<A extends DBTransactionAdapter>(inner: A): A {
  return {
    ...inner,
    create: async (data) => {
      if (data.model !== SESSION || typeof data.data[TOKEN] !== "string") return inner.create(data);
      const plain = data.data[TOKEN];
      const row = await inner.create({ ...data, data: { ...data.data, [TOKEN]: hashSessionToken(plain) } });
      return withToken(row, plain);
    },
    findOne: async (data) => {
      if (data.model !== SESSION) return inner.findOne(data);
      const { where, plain } = hashWhere(data.where, hashForLookup);
      return withToken(await inner.findOne({ ...data, where: where ?? [] }), plain);
    },
    findMany: async (data) => {
      if (data.model !== SESSION) return inner.findMany(data);
      const { where, plain } = hashWhere(data.where, hashForLookup);
      return (await inner.findMany({ ...data, where })).map((r) => withToken(r, plain));
    },
    count: async (data) => (data.model === SESSION ? inner.count({ ...data, where: hashWhere(data.where, hashForLookup).where }) : inner.count(data)),
    update: async (data) => {
      if (data.model !== SESSION) return inner.update(data);
      const { where, plain } = hashWhere(data.where, hashSessionToken);
      const update = typeof data.update[TOKEN] === "string" ? { ...data.update, [TOKEN]: hashSessionToken(data.update[TOKEN]) } : data.update;
      return withToken(await inner.update({ ...data, where: where ?? [], update }), plain);
    },
    updateMany: async (data) => (data.model === SESSION ? inner.updateMany({ ...data, where: hashWhere(data.where, hashSessionToken).where ?? [] }) : inner.updateMany(data)),
    delete: async (data) => (data.model === SESSION ? inner.delete({ ...data, where: hashWhere(data.where, hashSessionToken).where ?? [] }) : inner.delete(data)),
    deleteMany: async (data) => (data.model === SESSION ? inner.deleteMany({ ...data, where: hashWhere(data.where, hashSessionToken).where ?? [] }) : inner.deleteMany(data)),
    consumeOne: async (data) => (data.model === SESSION ? inner.consumeOne({ ...data, where: hashWhere(data.where, hashSessionToken).where ?? [] }) : inner.consumeOne(data)),
  };
}

/** Better Auth's adapter factory, with session tokens hashed at rest. */
export function withHashedSessionTokens(factory: (options: BetterAuthOptions) => DBAdapter): (options: BetterAuthOptions) => DBAdapter {
  return (options) => {
    const inner = factory(options);
    return { ...wrap(inner), transaction: (callback) => inner.transaction((trx) => callback(wrap(trx))) };
  };
}
