import fs from "node:fs";
import { pgDatabase } from "../local/jdbc";
import { StreamRunner } from "../local/stream";
import { demoStreamPlan } from "./demo-plans";
import { demoCatalog, inSchema } from "./helpers";

// A stream job in its own process, for the kill -9 test: `tsx stream-child.ts <config.json>`.
// With `hangAt`, the process announces the point on stdout and waits there to be killed.

interface ChildConfig {
  baseDir: string;
  stateDir: string;
  jobId: string;
  url: string;
  schema: string;
  day: string;
  maxBatchRows: number;
  hangAt?: { batch: number; phase: "before-commit" | "after-commit" };
}

const config = JSON.parse(fs.readFileSync(process.argv[2] ?? "", "utf8")) as ChildConfig;
const plan = demoStreamPlan(demoCatalog(), config.day);
const st = plan.statements[0];
if (!st) throw new Error("no statement");
st.sink = { ...st.sink, table: inSchema(st.sink.table, config.schema) };
const db = pgDatabase(config.url);

const hang = async (batch: number, phase: "before-commit" | "after-commit") => {
  if (config.hangAt?.batch === batch && config.hangAt.phase === phase) {
    process.stdout.write(`HANG ${phase} ${batch}\n`);
    await new Promise(() => undefined); // killed here
  }
};

const runner = await StreamRunner.open(plan, {
  jobId: config.jobId, stateDir: config.stateDir, maxBatchRows: config.maxBatchRows,
  env: { baseDir: config.baseDir, jdbc: () => db },
  beforeCommit: (b) => hang(b, "before-commit"),
  afterCommit: (b) => hang(b, "after-commit"),
  onBatch: (m) => process.stdout.write(`BATCH ${m.batchId} ${m.rowsIn}\n`),
});
while (await runner.step()) { /* drain */ }
await runner.close();
await db.close();
process.stdout.write("DONE\n");
