import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckSession, q } from "./duck";
import type { LocalSource, LocalStreamJob, LocalStreamStatement } from "./plan";
import { failed, innerStepsOf, step, type BatchPreview, type PreviewStep } from "./preview";
import { formatOf, registerBoundedSource, requireOption, resolvePath, type EngineEnv } from "./sources";
import { checkStreamJob } from "./stream";

// Step-by-step preview of a stream job over the last N events of its topic: the events are copied to a
// scratch file and read as a bounded table, then every view, CTE and subquery of the statements and what
// each statement would emit for these events as one micro-batch. The topic is only read (its files are
// never written and no job state or offset is touched), sinks are never opened.

/** The stream source keeps no events to read back (a datagen source). */
export class UnreadableTopic extends Error {}

export interface StreamPreview extends BatchPreview {
  /** Events read from the end of the topic (fewer than asked when the topic holds fewer). */
  events: number;
  topic: string;
}

export async function previewStreamJob(job: LocalStreamJob, env: EngineEnv, opts: { events: number; limit: number; signal?: AbortSignal }): Promise<StreamPreview> {
  const problems = checkStreamJob(job);
  const scan = job.sources.find((x) => x.role === "scan");
  if (!scan || problems.length > 0) throw new Error(`cannot preview '${job.name}' on the local stream engine:\n  ${problems.join("\n  ")}`);
  const t = scan.table;
  if (t.connection.type !== "filesystem" || formatOf(t) !== "json") {
    throw new UnreadableTopic(`the stream preview reads the last events of a topic, and '${t.table.name}' (connector '${t.connection.type}') keeps none; preview topics of filesystem tables with format json`);
  }
  const started = performance.now();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-stream-preview-"));
  const s = await DuckSession.open(":memory:", { timeZone: job.timeZone });
  const interrupt = () => s.connection.interrupt();
  opts.signal?.addEventListener("abort", interrupt, { once: true });
  const check = () => opts.signal?.throwIfAborted();
  try {
    const file = path.join(scratch, "events.json");
    const events = lastLines(resolvePath(requireOption(t, "path"), env), opts.events, file);
    const steps: PreviewStep[] = [];
    // The same table, read from the copy: declared columns, types and computed columns as the runner has them.
    const copy: LocalSource = { ...scan, table: { ...t, options: { ...t.options, path: file } } };
    try {
      await registerBoundedSource(s, copy, env, { materialize: true });
      steps.push(await step(s, "source", t.table.name, `SELECT * FROM ${q(scan.name)}`, opts.limit));
    } catch (e) {
      steps.push(failed("source", t.table.name, e));
    }
    for (const lookup of job.sources.filter((x) => x.role === "lookup")) {
      check();
      try {
        await registerBoundedSource(s, lookup, env, { materialize: false });
      } catch (e) {
        steps.push(failed("source", lookup.table.table.name, e));
      }
    }
    for (const v of job.views) {
      check();
      try {
        await s.run(`CREATE OR REPLACE TEMP VIEW ${q(v.name)} AS ${v.sql}`);
        steps.push(await step(s, "view", v.name, `SELECT * FROM ${q(v.name)}`, opts.limit));
      } catch (e) {
        steps.push(failed("view", v.name, e));
      }
    }
    for (const [i, st] of job.statements.entries()) {
      const sink = st.sink.table.table.name;
      const output = emittedSql(st);
      if (!output.sql) {
        steps.push({ ...failed("output", sink, new Error(output.why)), statement: i });
        continue;
      }
      for (const inner of await innerStepsOf(s, st.input).catch(() => [])) {
        check();
        steps.push({ ...(await step(s, inner.kind, inner.name, inner.sql, opts.limit).catch((e: unknown) => failed(inner.kind, inner.name, e))), statement: i });
      }
      check();
      steps.push({ ...(await step(s, "output", sink, output.sql, opts.limit).catch((e: unknown) => failed("output", sink, e))), statement: i });
    }
    return { steps, durationMs: performance.now() - started, events, topic: t.table.name };
  } finally {
    opts.signal?.removeEventListener("abort", interrupt);
    s.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * What a statement emits when the events are its whole input, as one micro-batch from a fresh state:
 * its rows as they are, or its groups (windows still open included) with their aggregates. Statements
 * whose results depend on state kept across batches (deduplication, two-level aggregation) are not
 * previewed; the reason is shown at their step.
 */
function emittedSql(st: LocalStreamStatement): { sql: string; why?: undefined } | { sql?: undefined; why: string } {
  if (st.dedup || st.recompute) return { why: "this statement keeps rows across events (deduplication or a two-level aggregation); the stream preview does not replay its state — preview the batch side instead" };
  const a = st.aggregation;
  if (!a) return { sql: st.input };
  const keys = a.groupKeys.map((k) => `${k.expr} AS ${q(k.name)}`);
  const aggs = a.aggregates.map((g) => {
    const call = g.fn === "count_distinct" ? `count(DISTINCT ${g.arg ?? "*"})` : g.fn === "count" ? `count(${g.arg ?? "*"})` : `${g.fn}(${g.arg ?? "*"})`;
    return `${call} AS ${q(g.name)}`;
  });
  let window: string[] = [];
  let from = `(${st.input}) AS __in`;
  if (a.window && !a.window.bounds) {
    if (a.window.kind !== "tumble") return { why: "a HOP window without window_start / window_end columns is not previewed on the stream side" };
    const size = `INTERVAL (${a.window.sizeMs}) MILLISECOND`;
    from = `(SELECT *, time_bucket(${size}, ${a.window.timeColumn}) AS window_start FROM (${st.input})) AS __in`;
    window = ["window_start", `window_start + ${size} AS window_end`];
  }
  const groupBy = [...a.groupKeys.map((_k, i) => String(i + 1)), ...(window.length > 0 ? ["window_start"] : [])];
  const grouped = `SELECT ${[...keys, ...window, ...aggs].join(", ")} FROM ${from}${groupBy.length > 0 ? ` GROUP BY ${groupBy.join(", ")}` : ""}`;
  const names = st.project?.queryColumns ?? st.sink.columns;
  const out = `SELECT ${a.output.map((e, i) => `${e} AS ${q(names[i] ?? `c${i}`)}`).join(", ")} FROM (${grouped}) AS __g${a.having ? ` WHERE ${a.having}` : ""}`;
  return { sql: st.project ? `WITH __q AS (${out}) ${st.project.sql}` : out };
}

/** Copies the last `n` whole lines of a JSON-lines topic (files in name order, as the stream runner reads them) to `to`. */
export function lastLines(root: string, n: number, to: string): number {
  const files = !fs.existsSync(root) ? [] : fs.statSync(root).isFile() ? [root] : fs.readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith(".") && !e.name.startsWith("_"))
    .map((e) => e.name).sort().map((name) => path.join(root, name));
  const chunks: Buffer[] = [];
  let found = 0;
  for (let f = files.length - 1; f >= 0 && found < n; f--) {
    const file = files[f];
    if (!file) continue;
    const fd = fs.openSync(file, "r");
    try {
      const size = fs.fstatSync(fd).size;
      // A trailing line without its newline is still being written: the runner waits for it, so does this.
      let end = size;
      let tail = Buffer.alloc(0);
      const parts: Buffer[] = [];
      let first = true;
      while (end > 0 && found < n) {
        const len = Math.min(end, 256 * 1024);
        const buf = Buffer.allocUnsafe(len);
        fs.readSync(fd, buf, 0, len, end - len);
        end -= len;
        let block = Buffer.concat([buf, tail]);
        if (first) {
          const lastNl = block.lastIndexOf(10);
          block = lastNl < 0 ? Buffer.alloc(0) : block.subarray(0, lastNl + 1);
          first = false;
        }
        // Whole lines of this block, newest first, until n; the part before the first newline waits for the previous block.
        let stop = block.length - 1; // index of the newline ending the next line to take
        let cut = block.length;
        while (found < n && stop >= 0) {
          const prev = block.lastIndexOf(10, stop - 1);
          if (prev < 0 && end > 0) break;
          const line = block.subarray(prev + 1, stop + 1);
          if (line.toString("utf8").trim() !== "") found++;
          cut = prev + 1;
          stop = prev;
        }
        parts.unshift(block.subarray(cut));
        tail = Buffer.from(block.subarray(0, cut));
        if (stop < 0) break;
      }
      chunks.unshift(Buffer.concat(parts));
    } finally {
      fs.closeSync(fd);
    }
  }
  fs.writeFileSync(to, Buffer.concat(chunks));
  return found;
}
