import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

// The embedded database answers only clients that know the password in <data dir>/db.password (0600, in a
// 0700 folder): Tandem's own processes run as the folder's owner and read it; other local users cannot.

const FILE = "db.password";

/** Makes the data folder private to its owner (0700), creating it when missing. */
export function securePrivateFolder(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

/** The owner's password, generated on first use. */
export function ensureEmbeddedPassword(dir: string): string {
  securePrivateFolder(dir);
  const file = path.join(dir, FILE);
  try {
    fs.writeFileSync(file, crypto.randomBytes(32).toString("base64url"), { flag: "wx", mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  fs.chmodSync(file, 0o600);
  return fs.readFileSync(file, "utf8").trim();
}

/** The password a client of the running owner presents, or undefined when this user cannot read it. */
export function readEmbeddedPassword(dir: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dir, FILE), "utf8").trim();
  } catch {
    return undefined; // no file (no owner yet) or not ours to read: the connection is then refused
  }
}

/** The URL of the running owner's socket. */
export function embeddedDatabaseUrl(port: number, password: string): string {
  return `postgres://tandem:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}
