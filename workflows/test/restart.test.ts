import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client, Connection } from "@temporalio/client";
import { NativeConnection, Worker } from "@temporalio/worker";
import { afterAll, beforeAll, expect, it } from "vitest";
import { activities, assertReplayable, fixturesBundle, openIsolatedDatabase, uniqueId, type TestEnv } from "./helpers";

// kill -9 of the dev service while workflows wait on timers, activities and signals; restart on the same
// port and database; everything completes, each activity body ran exactly once, histories replay.

const MAIN = fileURLToPath(new URL("../devserver/main.ts", import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

function startService(port: number, dataDir: string, databaseUrl?: string): Promise<ChildProcess> {
  const args = ["--import", "tsx", MAIN, "--port", String(port), "--data-dir", dataDir];
  if (databaseUrl) args.push("--database-url", databaseUrl);
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env } });
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes("listening on")) resolve(child);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (b: Buffer) => (out += b.toString()));
    child.on("exit", (code) => reject(new Error(`dev service exited with ${String(code)}: ${out}`)));
    setTimeout(() => reject(new Error(`dev service did not start in time: ${out}`)), 90_000);
  });
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

let dataDir: string;
let port: number;
let databaseUrl: string | undefined;
let closeDb: (() => Promise<void>) | undefined;
let service: ChildProcess | undefined;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-temporal-restart-"));
  port = await freePort();
  if (process.env.DATABASE_URL) {
    const db = await openIsolatedDatabase();
    databaseUrl = db.url;
    closeDb = () => db.close();
  }
  await fixturesBundle();
}, 120_000);

afterAll(async () => {
  if (service && service.exitCode === null) await kill9(service);
  await closeDb?.();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it("survives kill -9 with workflows waiting on timers, activities and signals", async () => {
  service = await startService(port, dataDir, databaseUrl);
  const address = `127.0.0.1:${port}`;
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const taskQueue = uniqueId("restart");
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address }),
    taskQueue,
    workflowBundle: await fixturesBundle(),
    activities,
  });
  const workerRun = worker.run();
  try {
    const timers = await Promise.all(
      Array.from({ length: 5 }, async (_, i) => {
        const key = uniqueId(`timer${i}`);
        const h = await client.workflow.start("timerThenActivity", { taskQueue, workflowId: uniqueId("t"), args: [{ key, timerMs: 3000 }] });
        return { key, h };
      }),
    );
    const slow = await Promise.all(
      Array.from({ length: 5 }, async (_, i) => {
        const key = uniqueId(`slow${i}`);
        const h = await client.workflow.start("slowActivity", { taskQueue, workflowId: uniqueId("s"), args: [{ key, ms: 15000 }] });
        return { key, h };
      }),
    );
    const signalled = await client.workflow.start("signalCondition", { taskQueue, workflowId: uniqueId("sig") });
    const schedule = await client.schedule.create({
      scheduleId: uniqueId("sched"),
      spec: { intervals: [{ every: "1s" }] },
      action: { type: "startWorkflow", workflowType: "scheduled", taskQueue },
    });
    // Let the activities start, then kill the service mid-flight.
    await new Promise((r) => setTimeout(r, 1000));
    await kill9(service);
    const killedAt = Date.now();
    await new Promise((r) => setTimeout(r, 500));
    service = await startService(port, dataDir, databaseUrl);
    const downMs = Date.now() - killedAt;

    await signalled.signal("approve", "after restart");
    expect(await signalled.result()).toBe("approved by after restart");
    for (const t of timers) expect(await t.h.result()).toBe(`${t.key}#1`);
    for (const s of slow) expect(await s.h.result()).toBe(`${s.key}#1`);
    for (const x of [...timers, ...slow]) expect(activities.calls.get(x.key)).toBe(1);
    // The schedule survived and keeps firing.
    const before = (await schedule.describe()).info.numActionsTaken;
    await new Promise((r) => setTimeout(r, 2500));
    expect((await schedule.describe()).info.numActionsTaken).toBeGreaterThan(before);
    await schedule.delete();

    const env = { client } as TestEnv;
    await assertReplayable(env, [...timers, ...slow].map((x) => ({ workflowId: x.h.workflowId })).concat([{ workflowId: signalled.workflowId }]));
    console.log(`dev service was down ${downMs} ms`);
  } finally {
    worker.shutdown();
    await workerRun;
    await connection.close();
  }
}, 180_000);

it("a script using only @temporalio/client and @temporalio/worker runs timers, activities, signals, a child and a cron schedule", async () => {
  if (!service || service.exitCode !== null) service = await startService(port, dataDir, databaseUrl);
  const script = fileURLToPath(new URL("./standalone/run.ts", import.meta.url));
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, `127.0.0.1:${port}`], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr?.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`standalone script exited ${String(code)}: ${stderr.slice(-2000)}`))));
  });
  const line = out.trim().split("\n").pop() ?? "";
  const result = JSON.parse(line) as { greeting: string; ticks: number; tickResult: string };
  expect(result.greeting).toBe("HELLO WORLD!");
  expect(result.ticks).toBeGreaterThanOrEqual(2);
  expect(result.tickResult).toMatch(/^tick-/);
}, 120_000);
