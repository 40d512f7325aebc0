import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { acquireOwnerLock, DataFolderBusyError, readOwner } from "./owner-lock";
import { openDatabase } from "./client";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "tandem-lock-"));

describe("embedded data folder ownership", () => {
  it("a second owner of a live folder fails with a message naming the owner", async () => {
    const dir = tmp();
    // A real second process holds the lock (a child that writes the lock file and sleeps).
    const child = spawn(process.execPath, ["-e", `
      const fs = require("fs");
      fs.writeFileSync(${JSON.stringify(path.join(dir, "owner.json"))}, JSON.stringify({ pid: process.pid, command: "tandem dev", startedAt: "now", port: 5999 }), { flag: "wx" });
      console.log("locked"); setTimeout(() => {}, 60000);`], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    try {
      expect(() => acquireOwnerLock(dir, "tandem apply")).toThrow(DataFolderBusyError);
      expect(() => acquireOwnerLock(dir, "tandem apply")).toThrow(new RegExp(`in use by process ${String(child.pid)} \\(tandem dev.*socket on port 5999`));
      await expect(openDatabase({ kind: "pglite", dataDir: dir, command: "test" })).rejects.toThrow(DataFolderBusyError);
    } finally {
      child.kill("SIGKILL");
    }
    await new Promise((r) => child.once("exit", r));
    // The owner died without cleaning up: the stale lock is reclaimed.
    expect(readOwner(dir)).toBeUndefined();
    const lock = acquireOwnerLock(dir, "tandem apply");
    expect(readOwner(dir)?.pid).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(path.join(dir, "owner.json"))).toBe(false);
  });

  it("a torn lock file is treated as stale", () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, "owner.json"), '{"pid": 12');
    const lock = acquireOwnerLock(dir, "tandem dev");
    lock.setPort(6000);
    expect(readOwner(dir)).toMatchObject({ pid: process.pid, port: 6000 });
    lock.release();
  });
});
