import type { Lineage } from "../sql/lineage";
import { buildRunEvent, runIdOf, type OpenLineageSink, type RunEventType, type TableAssertions } from "./openlineage";

// The small hook the runners call at a run's start and end. It hands the event to the sink and returns
// at once: a run never waits for, nor fails because of, the lineage endpoint.

export interface RunRef {
  project: string;
  job: string;
  version: number;
  side: "batch" | "stream";
  sql: string;
  lineage: Lineage | null;
  /** Batch: the run's bizdate (yyyy-MM-dd), its nominal time. */
  bizdate?: string;
  /** What makes this run unique within the job and side (batch: bizdate and attempt; stream: the engine job id). */
  key: (string | number)[];
}

export type RunNotice = (type: RunEventType, extra?: { error?: string; assertions?: TableAssertions[] }) => void;

const NO_LINEAGE: Lineage = { tables: [], columns: [] };
const warn = (m: string): void => void process.stderr.write(`openlineage: ${m}\n`);

export function runNotifier(sink: OpenLineageSink | undefined, run: RunRef, report: (m: string) => void = warn): RunNotice {
  if (!sink) return () => undefined;
  const runId = runIdOf(run.project, run.job, run.side, run.version, ...run.key);
  return (eventType, extra = {}) => {
    try {
      void sink.emit(buildRunEvent({
        eventType, project: run.project, job: run.job, version: run.version, side: run.side, sql: run.sql,
        lineage: run.lineage ?? NO_LINEAGE, runId, ...(run.bizdate ? { bizdate: run.bizdate } : {}), ...extra,
      }));
    } catch (e) {
      report(e instanceof Error ? e.message : String(e));
    }
  };
}
