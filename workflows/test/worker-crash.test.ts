import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { Client, Connection } from "@temporalio/client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../db/client";
import { serveEmbeddedDatabase } from "../../db/embedded-server";
import type { ProjectContext } from "../../server/context";
import { writeHistoryPartition, writeTopicDay } from "../../server/demo/generator";
import { deployJob } from "../../server/jobs/deployments";
import { batchInstanceWorkflowId } from "../../server/orchestration";
import { getProject } from "../../server/projects/projects";
import { getInstance, listPartitions } from "../../server/runs/index";
import { Bizdate } from "../../server/scheduling/index";
import { applyDemoProject, type DemoProject } from "../../server/testing/demo-project";
import type { InstanceProgress } from "../activities/scheduler";
import { startEmbeddedTemporal, type EmbeddedTemporal } from "../devserver/index";
import { TemporalOrchestrator } from "../orchestrator";
import { openIsolatedDatabase, uniqueId } from "./helpers";

// kill -9 of the process running Tandem's worker, while a batch instance runs and the demo job's stream
// side runs under its supervisor; a new worker process starts: the instance completes with exactly one
// copy of its output partition, and the stream resumes from its checkpoint, counting every event once.

const CHILD = fileURLToPath(new URL("./worker-child.ts", import.meta.url));
const JOB = "coupon_daily_stats";
const base = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-worker-crash-"));
const dataDir = path.join(base, ".tandem");
const warehouse = (table: string) => path.join(dataDir, "demo", "warehouse", table);
const topic = path.join(dataDir, "demo", "topic", "coupon_events");
let databaseUrl: string;
let stopDatabase: () => Promise<void>;
let handle: DatabaseHandle;
let service: EmbeddedTemporal;
let connection: Connection;
let orchestrator: TemporalOrchestrator;
let demo: DemoProject;
let ctx: ProjectContext;
const children: ChildProcess[] = [];
const TQ = uniqueId("crash");

beforeAll(async () => {
  if (process.env.DATABASE_URL) {
    const isolated = await openIsolatedDatabase();
    databaseUrl = isolated.url ?? "";
    stopDatabase = () => isolated.close();
  } else {
    // As `tandem dev` runs it: PGlite served over the Postgres protocol, reachable from the worker's process.
    const served = await serveEmbeddedDatabase(path.join(base, "db"), { command: "worker-crash test" });
    databaseUrl = served.url;
    stopDatabase = () => served.stop();
  }
  handle = await openDatabase({ kind: "postgres", url: databaseUrl, poolSize: 4 });
  service = await startEmbeddedTemporal({ db: handle.db });
  connection = await Connection.connect({ address: service.address });
  orchestrator = new TemporalOrchestrator(new Client({ connection }), { taskQueue: TQ, pollMs: 300, streamSupervisor: { heartbeatTimeoutMs: 8000, restartBackoffMs: 300 } });
  demo = await applyDemoProject(handle.db, "crash");
  ctx = { db: handle.db, actor: { kind: "local" }, project: await getProject(handle.db, demo.project) };
}, 180_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await connection?.close();
  await service?.stop();
  await handle?.close();
  await stopDatabase?.();
  fs.rmSync(base, { recursive: true, force: true });
}, 60_000);

/** Starts a worker process; resolves once it polls, with a way to wait for a line of its output. */
function startWorkerProcess(holdBatchMs: number): Promise<{ child: ChildProcess; saw(text: string, ms?: number): Promise<void>; output(): string }> {
  const cfg = path.join(base, `worker-${children.length}.json`);
  fs.writeFileSync(cfg, JSON.stringify({ address: service.address, namespace: "default", taskQueue: TQ, databaseUrl, dataDir, masterKeyHex: demo.masterKey.toString("hex"), holdBatchMs }));
  // `node --import tsx`: one process, so SIGKILL hits the worker itself.
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, cfg], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (out += b.toString()));
  const saw = (text: string, ms = 120_000) => new Promise<void>((resolve, reject) => {
    const end = Date.now() + ms;
    const look = () => {
      if (out.includes(text)) resolve();
      else if (child.exitCode !== null || Date.now() > end) reject(new Error(`the worker never printed '${text}': ${out.slice(-2000)}`));
      else setTimeout(look, 100);
    };
    look();
  });
  return saw("READY").then(() => ({ child, saw, output: () => out }));
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

async function sinkCount(): Promise<number> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const r = await c.query<{ n: string | null }>("SELECT sum(pv)::text AS n FROM ads_coupon_daily_rt");
    return Number(r.rows[0]?.n ?? 0);
  } catch {
    return 0; // the sink table does not exist yet
  } finally {
    await c.end();
  }
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

it("a batch instance and a stream survive kill -9 of their worker: one output copy, every event counted once", async () => {
  const D = Bizdate.parse("2024-11-11");
  await writeHistoryPartition(warehouse("ods_coupon_events_di"), { day: "2024-11-11", count: 2000, seed: 3 });
  await writeTopicDay(topic, { day: "2024-11-11", count: 3000, users: 500 });
  const d = await deployJob(ctx, { job: JOB });

  const first = await startWorkerProcess(600_000);
  await orchestrator.startStream({ project: demo.project, job: JOB, version: d.version });
  await orchestrator.startBatchInstance({ project: demo.project, job: JOB, bizdate: D.toString(), trigger: "manual" });
  await first.saw("HELD");
  const counted = await until(sinkCount, (n) => n >= 3000, 60_000);
  if (counted !== 3000) throw new Error(`the stream counted ${counted}: ${JSON.stringify(await orchestrator.streamStatus(demo.project, JOB))}; worker: ${first.output().slice(-3000)}`);
  expect((await getInstance(ctx, { job: JOB, bizdate: D })).state).toBe("running");

  await kill9(first.child);
  await writeTopicDay(topic, { day: "2024-11-12", count: 2000, users: 500 });
  await startWorkerProcess(0);

  // The run's heartbeats stopped: after its heartbeat timeout the new worker runs it again.
  const result = await new Client({ connection }).workflow.getHandle(batchInstanceWorkflowId(demo.project, JOB, D.toString())).result() as InstanceProgress;
  expect(result).toMatchObject({ state: "succeeded" });
  expect(await getInstance(ctx, { job: JOB, bizdate: D })).toMatchObject({ state: "succeeded", metrics: { rowsIn: 2000 } });
  expect((await listPartitions(ctx, "ads_coupon_daily_di")).map((p) => p.partition)).toEqual(["20241111"]);
  expect(fs.readdirSync(path.join(warehouse("ads_coupon_daily_di"), "dt=2024-11-11")).filter((f) => f.endsWith(".parquet"))).toHaveLength(1);

  // The stream restarted on the new worker from its checkpoint: the events of both days, each once.
  expect(await until(sinkCount, (n) => n >= 5000)).toBe(5000);
  const status = await orchestrator.streamStatus(demo.project, JOB);
  expect(status, JSON.stringify(status)).toMatchObject({ state: "running", version: 1 });
  // At least the restart after the kill (its heartbeats timed out); a loaded machine may add a late heartbeat or two.
  expect(status?.restarts, JSON.stringify(status)).toBeGreaterThanOrEqual(1);
  expect(status?.lastError, JSON.stringify(status)).not.toBeNull();
  expect(await orchestrator.stopStream(demo.project, JOB)).toBe(true);
  expect(await sinkCount()).toBe(5000);
}, 300_000);
