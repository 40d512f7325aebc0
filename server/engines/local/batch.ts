import { DuckSession, lit, q } from "./duck";
import { registerBoundedSource, type ScanReport } from "./sources";
import { validateSink, writeBatch, type SinkEnv } from "./sinks";
import type { LocalBatchJob } from "./plan";
import { MissingPartitionError, type MissingPartition } from "../engine";

// The batch side: sources become views (pruned to the needed partitions), the per-side views follow,
// and each INSERT's SELECT is written to its sink with overwrite-partition semantics.

export interface BatchRunResult {
  rowsIn: number;
  rowsOut: number;
  durationMs: number;
  scans: ScanReport[];
  writes: { sink: string; rows: number; target: string }[];
}

/** Problems that make the job impossible to run locally, found before anything is read or written. */
export function checkBatchJob(job: LocalBatchJob): string[] {
  const problems: string[] = [];
  if (job.statements.length === 0) problems.push(`job '${job.name}' has no INSERT statement to run`);
  for (const st of job.statements) {
    const p = validateSink(st.sink, "batch");
    if (p) problems.push(p);
    if (st.sink.mode === "upsert") problems.push(`batch sinks are written with overwrite-partition semantics; '${st.sink.table.table.name}' asks for upsert`);
  }
  return problems;
}

export async function runBatchJob(job: LocalBatchJob, env: SinkEnv, opts: { session?: DuckSession; signal?: AbortSignal } = {}): Promise<BatchRunResult> {
  const problems = checkBatchJob(job);
  if (problems.length) throw new Error(`cannot run '${job.name}' on the local engine:\n  ${problems.join("\n  ")}`);
  const started = performance.now();
  const s = opts.session ?? (await DuckSession.open(":memory:", { timeZone: job.timeZone }));
  // A session passed in keeps its other settings; the job's zone decides how its TIMESTAMP_LTZ values convert.
  if (opts.session) await s.run(`SET TimeZone = ${lit(job.timeZone ?? "UTC")}`);
  try {
    const scans: ScanReport[] = [];
    for (const src of job.sources) scans.push(await registerBoundedSource(s, src, env, { materialize: src.role === "lookup" }));
    // A missing input partition is not an empty day: fail before writing, so no partition is overwritten.
    const missing: MissingPartition[] = job.sources.flatMap((src, i) => {
      const values = scans[i]?.partitionsMissing ?? [];
      return values.length > 0 ? [{ table: src.table.table.name, column: src.partitions?.column ?? src.table.table.partition?.column ?? "", values }] : [];
    });
    if (missing.length > 0) throw new MissingPartitionError(job.name, missing);
    for (const v of job.views) await s.run(`CREATE OR REPLACE TEMP VIEW ${q(v.name)} AS ${v.sql}`);
    let rowsIn = 0;
    for (const [i, src] of job.sources.entries()) {
      if (src.role !== "scan") continue;
      const files = scans[i]?.files ?? [];
      // Parquet row counts come from the file footers: no extra pass over the data.
      rowsIn += files.length > 0 && files.every((f) => f.endsWith(".parquet"))
        ? Number(await s.scalar(`SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata([${files.map(lit).join(", ")}])`))
        : Number(await s.scalar(`SELECT count(*) FROM ${q(src.name)}`));
    }
    const writes: BatchRunResult["writes"] = [];
    for (const st of job.statements) {
      opts.signal?.throwIfAborted();
      const w = await writeBatch(s, st.sink, st.select, env);
      writes.push({ sink: st.sink.table.table.name, ...w });
    }
    return { rowsIn, rowsOut: writes.reduce((a, w) => a + w.rows, 0), durationMs: performance.now() - started, scans, writes };
  } finally {
    if (!opts.session) s.close();
  }
}
