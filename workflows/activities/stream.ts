import { ApplicationFailure, Context } from "@temporalio/activity";
import { checkStreamLag, emitAlertEvent } from "../../server/alerts/index";
import type { ProjectContext } from "../../server/context";
import type { StreamRunMetrics } from "../../server/orchestration";
import { getProject } from "../../server/projects/projects";
import { recordStreamSample, SAMPLE_EVERY_MS } from "../../server/streams/metric-history";
import { runStreamSide, StreamJobRefusedError } from "../../server/streams/run-stream";
import type { SchedulerDeps } from "./scheduler";

// The stream supervisor's one activity: it *is* the running stream job. It lives as long as the job runs
// (in the worker's process, where the local engine runs), heartbeating its metrics; the supervisor stops it
// by cancelling it (delivered with a heartbeat), and it then stops the job with a savepoint and returns it.
// If the worker dies, the heartbeats stop, the attempt times out and the supervisor starts it again: the
// engine resumes from its last checkpoint.

/** The failure type of a stream side that cannot run as deployed: the supervisor does not restart it. */
export const STREAM_REFUSED = "StreamJobRefused";

export interface StreamJobKey {
  project: string;
  job: string;
  version: number;
  savepoint: string | null;
}

/** How often a running stream's heartbeat metrics are compared with its lag threshold. */
const LAG_CHECK_EVERY_MS = 60_000;

export interface StreamRestartInput {
  project: string;
  job: string;
  version: number;
  /** The supervisor's workflow run and its restart count: the alert's key, so a retried activity records it once. */
  runId: string;
  restarts: number;
  error: string;
}

export function createStreamActivities(deps: SchedulerDeps | undefined) {
  return {
    /** The supervisor restarts the stream side: recorded (for the health score) and alerted (a stream_restart event). */
    async recordStreamRestart(input: StreamRestartInput): Promise<void> {
      if (!deps) throw new Error("this worker was started without the scheduler's dependencies (database, engines)");
      await emitAlertEvent({ db: deps.db, project: await getProject(deps.db, input.project) }, {
        kind: "stream_restart", job: input.job, discriminator: `${input.runId}/${input.restarts}`,
        reason: `the stream side of ${input.job} (v${input.version}) failed and restarts from its last checkpoint (restart ${input.restarts}): ${input.error.slice(0, 1000)}`,
        data: { version: input.version, restarts: input.restarts },
      });
    },

    async runStreamJob(key: StreamJobKey): Promise<{ savepoint: string }> {
      if (!deps) throw new Error("this worker was started without the scheduler's dependencies (database, engines)");
      const ctx: ProjectContext = { db: deps.db, actor: { kind: "system", reason: "stream-supervisor" }, project: await getProject(deps.db, key.project) };
      const activity = Context.current();
      let lagCheckedAt = 0;
      const watchLag = (m: StreamRunMetrics) => {
        if (Date.now() - lagCheckedAt < LAG_CHECK_EVERY_MS) return;
        lagCheckedAt = Date.now();
        // Never in the way of the job: a failed check is logged and tried again a minute later.
        checkStreamLag(ctx, key.job, m).catch((e: unknown) => console.error(`[alerts] lag check of ${key.job} failed:`, e instanceof Error ? e.message : e));
      };
      let sampledAt = 0;
      const sample = (m: StreamRunMetrics) => {
        if (Date.now() - sampledAt < SAMPLE_EVERY_MS) return;
        sampledAt = Date.now();
        recordStreamSample(ctx, key.job, key.version, m).catch((e: unknown) => console.error(`[streams] metrics sample of ${key.job} not recorded:`, e instanceof Error ? e.message : e));
      };
      try {
        return await runStreamSide(ctx, deps, { job: key.job, version: key.version, savepoint: key.savepoint }, {
          signal: activity.cancellationSignal,
          statusEveryMs: 1000,
          onStatus: (m: StreamRunMetrics) => {
            activity.heartbeat(m);
            watchLag(m);
            sample(m);
          },
        });
      } catch (e) {
        if (e instanceof StreamJobRefusedError) throw ApplicationFailure.nonRetryable(e.message, STREAM_REFUSED);
        throw e;
      }
    },
  };
}
