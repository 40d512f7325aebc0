import { catalogSecrets } from "../engines/catalog-secrets";
import { UnsupportedJobError, type EngineJobStatus } from "../engines/engine";
import { submissionFor } from "../engines/run-side";
import type { ProjectContext } from "../context";
import { NotFoundError } from "../errors";
import { getDeployment } from "../jobs/deployments";
import { loadCatalogSnapshot } from "../catalog/snapshot";
import { runNotifier } from "../lineage/run-hook";
import type { RunnerDeps } from "../runs/runner";
import type { StreamRunMetrics } from "../orchestration";

// A deployed version's stream side, run on the engine for as long as its supervisor wants it: started
// fresh (or from the engine's own last checkpoint, which the local engine keeps in its state folder), or
// resumed from a savepoint; it runs until the signal aborts, then stops with a savepoint. An engine job that
// ends by itself (failed, or cancelled behind Tandem's back) is an error: the supervisor restarts it.

export interface StreamRunRequest {
  job: string;
  version: number;
  /** Resume from this savepoint (a redeploy's stop); otherwise from the last checkpoint. */
  savepoint?: string | null;
}

export interface StreamRunOptions {
  /** Aborting stops the job with a savepoint (what undeploy and redeploy do). */
  signal: AbortSignal;
  /** Called with the running job's metrics every `statusEveryMs` (2 s): the activity's heartbeats. */
  onStatus?: (metrics: StreamRunMetrics) => void;
  statusEveryMs?: number;
}

/** The engine job ended without being asked to: the supervisor restarts it from its last checkpoint. */
export class StreamJobEndedError extends Error {}

/** The stream side cannot run as deployed (no stream side, or state the engine refuses): restarting will not help. */
export class StreamJobRefusedError extends Error {}

export function streamMetrics(s: EngineJobStatus): StreamRunMetrics {
  const m = s.metrics;
  return {
    rowsIn: m.rowsIn, rowsOut: m.rowsOut, lag: m.lag ?? null, lagUnit: m.lagUnit ?? null, watermarkMs: m.watermarkMs ?? null,
    lastCheckpoint: m.lastCheckpoint ? { id: m.lastCheckpoint.id, at: m.lastCheckpoint.at } : null,
  };
}

/** Runs the stream side until `signal` aborts; resolves with the savepoint it stopped with. */
export async function runStreamSide(ctx: ProjectContext, deps: RunnerDeps, req: StreamRunRequest, opts: StreamRunOptions): Promise<{ savepoint: string }> {
  const d = await getDeployment(ctx, req.job, req.version).catch((e: unknown) => {
    throw e instanceof NotFoundError ? new StreamJobRefusedError(e.message) : e; // a missing version never appears
  });
  if (d.streamScript === null) throw new StreamJobRefusedError(`job '${req.job}' v${req.version} has no stream side`);
  const catalog = d.catalog ?? (await loadCatalogSnapshot(ctx.db, ctx.project));
  const engine = deps.engines.engine();
  let id: string;
  try {
    // The stream side's bizdate only names the run; its days come from event time.
    const submission = submissionFor(engine.kind, { catalog, job: d.spec, secret: await catalogSecrets(ctx.db, ctx.project.id, deps.secretBox), side: "stream", bizdate: new Date().toISOString().slice(0, 10) });
    ({ id } = req.savepoint ? await engine.resume(submission, req.savepoint) : await engine.submit(submission));
  } catch (e) {
    if (e instanceof UnsupportedJobError) throw new StreamJobRefusedError(e.message);
    throw e;
  }
  const notify = runNotifier(deps.openLineage, { project: ctx.project.name, job: req.job, version: d.version, side: "stream", sql: d.spec.sql, lineage: d.lineage, key: [id] });
  notify("START");
  const ticker = setInterval(() => void engine.status(id).then((s) => opts.onStatus?.(streamMetrics(s)), () => undefined), opts.statusEveryMs ?? 2000);
  try {
    const stop = new Promise<"stop">((resolve) => {
      if (opts.signal.aborted) resolve("stop");
      opts.signal.addEventListener("abort", () => resolve("stop"), { once: true });
    });
    const ended = await Promise.race([engine.wait(id), stop]);
    if (ended === "stop") {
      const stopped = await engine.stopWithSavepoint(id);
      notify("COMPLETE");
      return stopped;
    }
    const error = `the stream job of '${req.job}' ended ${ended.state}${ended.error ? `: ${ended.error}` : ""}`;
    notify("FAIL", { error });
    throw new StreamJobEndedError(error);
  } finally {
    clearInterval(ticker);
  }
}
