import fs from "node:fs";
import path from "node:path";
import { securePrivateFolder } from "./embedded-credentials";

// PGlite has no cross-process locking: two processes opening one data folder corrupt it. The owner
// writes <dir>/owner.json with O_EXCL; a second process reads it and either connects to the owner's
// Postgres-wire socket (when it serves one) or fails with a message that names the owner.

export interface OwnerInfo {
  pid: number;
  command: string;
  startedAt: string;
  /** Port of the owner's Postgres-wire socket, when it serves one. */
  port?: number;
}

export class DataFolderBusyError extends Error {
  constructor(readonly dir: string, readonly owner: OwnerInfo) {
    super(
      `The data folder ${dir} is in use by process ${owner.pid} (${owner.command}, started ${owner.startedAt}). ` +
        `Only one process may own an embedded database: stop that process, or set TANDEM_DATA_DIR to another folder` +
        (owner.port ? `; Tandem's commands connect to it through its socket on port ${owner.port} by themselves.` : "."),
    );
  }
}

function lockPath(dir: string): string {
  return path.join(dir, "owner.json");
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else; it still owns the folder.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The live owner of `dir`, or undefined (a stale lock left by a killed process is removed). */
export function readOwner(dir: string): OwnerInfo | undefined {
  let raw: string;
  try {
    raw = fs.readFileSync(lockPath(dir), "utf8");
  } catch {
    return undefined; // no lock file: nobody owns the folder
  }
  let info: OwnerInfo;
  try {
    info = JSON.parse(raw) as OwnerInfo;
  } catch {
    // A torn write from a crash mid-acquire; the writer is gone, so the lock is stale.
    fs.rmSync(lockPath(dir), { force: true });
    return undefined;
  }
  if (info.pid === process.pid || isAlive(info.pid)) return info;
  fs.rmSync(lockPath(dir), { force: true });
  return undefined;
}

export interface OwnerLock {
  setPort(port: number): void;
  release(): void;
}

export function acquireOwnerLock(dir: string, command: string): OwnerLock {
  securePrivateFolder(dir);
  const file = lockPath(dir);
  const info: OwnerInfo = { pid: process.pid, command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    const owner = readOwner(dir);
    if (owner && owner.pid !== process.pid) throw new DataFolderBusyError(dir, owner);
    try {
      fs.writeFileSync(file, JSON.stringify(info), { flag: "wx" });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const current = readOwner(dir);
        if (current?.pid === process.pid) fs.rmSync(file, { force: true });
        process.off("exit", release);
      };
      process.on("exit", release);
      return {
        setPort(port) {
          info.port = port;
          fs.writeFileSync(file, JSON.stringify(info));
        },
        release,
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      // Another process won the race, or our own stale file: loop once to re-read it.
    }
  }
  const owner = readOwner(dir);
  throw new DataFolderBusyError(dir, owner ?? info);
}
