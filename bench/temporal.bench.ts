// Benchmark of the embedded Temporal-compatible dev service (npm run bench:temporal).
//  1. 1,000 workflows (one timer + one activity each; with the 5th argument `oneActivity`, one activity only)
//     started at once: time until all results are in.
// Arguments: [workflows=1000] [latencyRuns=200] [process|inline] [activityAndTimer|oneActivity].
//  2. Start-to-result latency of a one-activity workflow, run one after another (p50 / p95).
//  3. The CPU each burst workflow cost (process mode): this process (the service, its database and the
//     client) and the worker process (the real SDK: Rust core, workflow threads, activities), and the rate
//     that CPU allows on this machine's cores at best (cores × 1000 / ms per workflow).
// Database: PGlite in a temporary data folder (the embedded default), or DATABASE_URL when set.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client, Connection } from "@temporalio/client";
import { spawn } from "node:child_process";
import { bundleWorkflowCode, NativeConnection, Runtime, Worker } from "@temporalio/worker";
import { openDatabase } from "../db/client";
import { startEmbeddedTemporal } from "../workflows/devserver/index";
import * as activities from "../workflows/test/fixtures/activities";

const WORKFLOWS = Number(process.argv[2] ?? 1000);
const LATENCY_RUNS = Number(process.argv[3] ?? 200);
/** "process" (default): the worker runs in its own process, as `tandem worker` does; "inline": same process. */
const WORKER_MODE = process.argv[4] ?? "process";
/** The burst's workflow: "activityAndTimer" (default: a timer, then an activity) or "oneActivity" (one activity). */
const BURST_WORKFLOW = process.argv[5] === "oneActivity" ? "oneActivity" : "activityAndTimer";

Runtime.install({ logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-temporal-"));
const url = process.env.DATABASE_URL;
const handle = url ? await openDatabase({ kind: "postgres", url }) : await openDatabase({ kind: "pglite", dataDir: dir, command: "bench:temporal" });
const service = await startEmbeddedTemporal({ db: handle.db });
const connection = await Connection.connect({ address: service.address });
const client = new Client({ connection });
const taskQueue = `bench-${Date.now()}`;
/** CPU milliseconds a process has used (all its threads), from /proc; undefined where there is no /proc. */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100 per second).
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
const ownCpuMs = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };

async function startWorker(): Promise<{ pid?: number; runUntil<T>(p: () => Promise<T>): Promise<T> }> {
  if (WORKER_MODE === "inline") {
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL("../workflows/test/fixtures/workflows.ts", import.meta.url)), logger: quiet });
    const w = await Worker.create({ connection: await NativeConnection.connect({ address: service.address }), taskQueue, workflowBundle, activities });
    return { runUntil: (p) => w.runUntil(p) };
  }
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./temporal-worker.ts", import.meta.url)), service.address, taskQueue], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (b: Buffer) => b.toString().includes("worker ready") && resolve());
    child.on("exit", (code) => reject(new Error(`worker exited with ${String(code)}`)));
  });
  return {
    pid: child.pid,
    async runUntil(p) {
      try {
        return await p();
      } finally {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}
const worker = await startWorker();

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const result = await worker.runUntil(async () => {
  // Warm-up: JIT, bundles in the worker's isolates, database caches.
  for (let i = 0; i < 20; i++) await client.workflow.execute("oneActivity", { taskQueue, workflowId: `warm-${i}-${Date.now()}`, args: ["w"] });

  const workerCpu0 = processCpuMs(worker.pid);
  const ownCpu0 = ownCpuMs();
  const t0 = performance.now();
  const handles = await Promise.all(
    Array.from({ length: WORKFLOWS }, (_, i) => client.workflow.start(BURST_WORKFLOW, { taskQueue, workflowId: `burst-${i}-${Date.now()}`, args: [String(i)] })),
  );
  const started = performance.now() - t0;
  const results = await Promise.all(handles.map((h) => h.result()));
  const burstMs = performance.now() - t0;
  const serviceCpuMs = ownCpuMs() - ownCpu0;
  const workerCpu1 = processCpuMs(worker.pid);
  const workerCpuMs = workerCpu0 === undefined || workerCpu1 === undefined ? undefined : workerCpu1 - workerCpu0;
  const wrong = results.filter((r, i) => r !== `Hello, ${i}!`).length;

  const lat: number[] = [];
  for (let i = 0; i < LATENCY_RUNS; i++) {
    const s = performance.now();
    await client.workflow.execute("oneActivity", { taskQueue, workflowId: `lat-${i}-${Date.now()}`, args: ["x"] });
    lat.push(performance.now() - s);
  }
  lat.sort((a, b) => a - b);
  return { burstMs, startedMs: started, wrong, p50: pct(lat, 50), p95: pct(lat, 95), serviceCpuMs, workerCpuMs };
});

const report = {
  database: url ? "postgres" : "pglite (data folder)",
  worker: WORKER_MODE,
  workflows: WORKFLOWS,
  burstWorkflow: BURST_WORKFLOW,
  allStartedMs: Math.round(result.startedMs),
  allCompletedMs: Math.round(result.burstMs),
  wrongResults: result.wrong,
  oneActivityP50Ms: Number(result.p50.toFixed(1)),
  oneActivityP95Ms: Number(result.p95.toFixed(1)),
  ...cpuPerWorkflow(),
};

/** CPU per burst workflow in each process, and the burst rate that much CPU allows on this machine at best. */
function cpuPerWorkflow(): Record<string, number> {
  const service = result.serviceCpuMs / WORKFLOWS;
  if (result.workerCpuMs === undefined) return { serviceCpuMsPerWorkflow: Number(service.toFixed(2)) };
  const workerMs = result.workerCpuMs / WORKFLOWS;
  const cores = os.availableParallelism();
  return {
    serviceCpuMsPerWorkflow: Number(service.toFixed(2)),
    workerCpuMsPerWorkflow: Number(workerMs.toFixed(2)),
    cores,
    cpuBoundWorkflowsPerSecond: Math.round((cores * 1000) / (service + workerMs)),
    workerOnlyBoundWorkflowsPerSecond: Math.round((cores * 1000) / workerMs),
  };
}
console.log(JSON.stringify(report));
await connection.close();
await service.stop();
await handle.close();
fs.rmSync(dir, { recursive: true, force: true });
