import { ValidationError } from "../errors";
import { translateJob } from "../sql/translate/index";
import type { Engine, EngineJobStatus, EngineKind, JobSide, PhysicalJobSubmission } from "./engine";
import { planLocalJob, type PlanContext } from "./local/from-script";

// The one operation that runs a side of a job on an engine: `tandem run` (a saved or file job) and the
// scheduler's batch instances (a deployed version, with its frozen catalog) both call it.

export interface SideRun extends PlanContext {
  side: JobSide;
  /** yyyy-MM-dd */
  bizdate: string;
}

/** What the engine is given: the local plan, or the side's Flink script. */
export function submissionFor(kind: EngineKind, run: SideRun): PhysicalJobSubmission {
  const base = { job: run.job.name, side: run.side, bizdate: run.bizdate };
  if (kind === "local") return { ...base, local: planLocalJob(run, run.side, run.bizdate) };
  const t = translateJob(run.catalog, run.job, { bizdate: run.bizdate });
  if (t.errors.length > 0) throw new ValidationError(t.errors);
  const script = t[run.side];
  if (!script) throw new ValidationError([{ path: `jobs.${run.job.name}`, message: `the job has no ${run.side} script` }]);
  return { ...base, flinkScript: script };
}

export interface RunSideOptions {
  /** Called with the engine's job id once it is submitted. */
  onSubmitted?: (engineJobId: string) => void;
  /** Called with the status every `statusEveryMs` (2 s) while it runs: progress, heartbeats. */
  onStatus?: (status: EngineJobStatus) => void;
  statusEveryMs?: number;
  /** Aborting cancels the engine job; the returned status then says cancelled. */
  signal?: AbortSignal;
}

/** Submits the side (see submissionFor) and resolves with its final status (finished, failed, cancelled or stopped). */
export async function runJobSide(engine: Engine, submission: PhysicalJobSubmission, opts: RunSideOptions = {}): Promise<EngineJobStatus> {
  const { id } = await engine.submit(submission);
  opts.onSubmitted?.(id);
  const cancel = () => void engine.cancel(id);
  if (opts.signal?.aborted) cancel();
  opts.signal?.addEventListener("abort", cancel, { once: true });
  const onStatus = opts.onStatus;
  const ticker = onStatus ? setInterval(() => void engine.status(id).then(onStatus, () => undefined), opts.statusEveryMs ?? 2000) : undefined;
  try {
    return await engine.wait(id);
  } finally {
    clearInterval(ticker);
    opts.signal?.removeEventListener("abort", cancel);
  }
}
