import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { StoredSecret } from "../../db/schema/index";

// Connection secrets are encrypted with AES-256-GCM under a master key from configuration. A second key
// derived from it (HKDF) fingerprints plaintexts so changes can be detected without decrypting. The key
// id lets a future rotation re-encrypt old values (docs/configuration.md).

export const MASK = "******";

export class SecretBox {
  readonly keyId: string;
  private readonly encKey: Buffer;
  private readonly macKey: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error(`the secret key must be 32 bytes, got ${masterKey.length}`);
    this.encKey = Buffer.from(crypto.hkdfSync("sha256", masterKey, Buffer.alloc(0), "tandem/secrets/enc", 32));
    this.macKey = Buffer.from(crypto.hkdfSync("sha256", masterKey, Buffer.alloc(0), "tandem/secrets/mac", 32));
    this.keyId = crypto.createHash("sha256").update(masterKey).digest("hex").slice(0, 12);
  }

  fingerprint(plaintext: string): string {
    return crypto.createHmac("sha256", this.macKey).update(plaintext).digest("base64url");
  }

  seal(plaintext: string, source: StoredSecret["source"]): StoredSecret {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv("aes-256-gcm", this.encKey, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return {
      keyId: this.keyId,
      iv: iv.toString("base64"),
      tag: cipher.getAuthTag().toString("base64"),
      ciphertext: ciphertext.toString("base64"),
      fingerprint: this.fingerprint(plaintext),
      source,
    };
  }

  /** Only the engine submit path calls this. */
  open(secret: StoredSecret): string {
    if (secret.keyId !== this.keyId) {
      throw new Error(`secret was encrypted with key ${secret.keyId}, but the configured key is ${this.keyId}; see key rotation in docs/configuration.md`);
    }
    const decipher = crypto.createDecipheriv("aes-256-gcm", this.encKey, Buffer.from(secret.iv, "base64"));
    decipher.setAuthTag(Buffer.from(secret.tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(secret.ciphertext, "base64")), decipher.final()]).toString("utf8");
  }
}

/**
 * The master key: TANDEM_SECRET_KEY (base64 of 32 bytes) when set, else <dataDir>/secret.key, created
 * once with owner-only permissions so the embedded default needs no setup.
 */
export function loadMasterKey(config: { configuredKey?: string; dataDir: string }): Buffer {
  if (config.configuredKey) {
    const key = Buffer.from(config.configuredKey, "base64");
    if (key.length !== 32) throw new Error("TANDEM_SECRET_KEY must be the base64 encoding of 32 random bytes (openssl rand -base64 32)");
    return key;
  }
  const file = path.join(config.dataDir, "secret.key");
  try {
    return Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  const key = crypto.randomBytes(32);
  try {
    fs.writeFileSync(file, key.toString("base64"), { mode: 0o600, flag: "wx" });
    return key;
  } catch (e) {
    // Another process created it first: use theirs so both agree.
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64");
    throw e;
  }
}
