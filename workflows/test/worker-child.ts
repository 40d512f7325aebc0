// A Tandem worker in a process of its own, so a test can kill it with SIGKILL: the real workflows and
// activities, the scheduler's dependencies over a shared database URL and data folder.
// Usage: node --import tsx workflows/test/worker-child.ts <config.json>
// With `holdBatchMs`, a batch engine job's result is held back that long after "HELD <job>" is printed:
// the instance is then running when the test kills the process.
import fs from "node:fs";
import { z } from "zod";
import { Client, Connection } from "@temporalio/client";
import { openDatabase } from "../../db/client";
import { SecretBox } from "../../server/catalog/secrets";
import type { Engine } from "../../server/engines/engine";
import { pgDatabase } from "../../server/engines/local/jdbc";
import { createEngineRegistry } from "../../server/engines/registry";
import { TemporalOrchestrator } from "../orchestrator";
import { startWorker } from "../worker";

const Config = z.object({
  address: z.string(),
  namespace: z.string(),
  taskQueue: z.string(),
  databaseUrl: z.string(),
  dataDir: z.string(),
  masterKeyHex: z.string(),
  holdBatchMs: z.number().int().nonnegative().default(0),
});

const config = Config.parse(JSON.parse(fs.readFileSync(process.argv[2] ?? "", "utf8")));
const handle = await openDatabase({ kind: "postgres", url: config.databaseUrl, poolSize: 4 });
const registry = createEngineRegistry({ dataDir: config.dataDir, embedded: () => pgDatabase(config.databaseUrl) });
const inner = registry.engine();
const batchIds = new Set<string>();
const engine: Engine = {
  kind: inner.kind,
  async submit(job) {
    const r = await inner.submit(job);
    if (job.side === "batch") batchIds.add(r.id);
    return r;
  },
  resume: (job, savepoint) => inner.resume(job, savepoint),
  status: (id) => inner.status(id),
  async wait(id, opts) {
    if (batchIds.has(id) && config.holdBatchMs > 0) {
      process.stdout.write(`HELD ${id}\n`);
      await new Promise((r) => setTimeout(r, config.holdBatchMs));
    }
    return inner.wait(id, opts);
  },
  cancel: (id) => inner.cancel(id),
  stopWithSavepoint: (id, opts) => inner.stopWithSavepoint(id, opts),
  close: () => inner.close(),
};
const connection = await Connection.connect({ address: config.address });
const orchestrator = new TemporalOrchestrator(new Client({ connection, namespace: config.namespace }), { taskQueue: config.taskQueue });
const scheduler = { db: handle.db, secretBox: new SecretBox(Buffer.from(config.masterKeyHex, "hex")), engines: { kind: registry.kind, engine: () => engine, close: () => registry.close() }, dataDir: config.dataDir, orchestrator };
const worker = await startWorker({ target: { address: config.address, namespace: config.namespace, embedded: true }, taskQueue: config.taskQueue, activityDeps: { scheduler } });
process.stdout.write("READY\n");
await worker.done;
