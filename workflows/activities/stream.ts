import { ApplicationFailure, Context } from "@temporalio/activity";
import type { ProjectContext } from "../../server/context";
import type { StreamRunMetrics } from "../../server/orchestration";
import { getProject } from "../../server/projects/projects";
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

export function createStreamActivities(deps: SchedulerDeps | undefined) {
  return {
    async runStreamJob(key: StreamJobKey): Promise<{ savepoint: string }> {
      if (!deps) throw new Error("this worker was started without the scheduler's dependencies (database, engines)");
      const ctx: ProjectContext = { db: deps.db, actor: { kind: "system", reason: "stream-supervisor" }, project: await getProject(deps.db, key.project) };
      const activity = Context.current();
      try {
        return await runStreamSide(ctx, deps, { job: key.job, version: key.version, savepoint: key.savepoint }, {
          signal: activity.cancellationSignal,
          statusEveryMs: 1000,
          onStatus: (m: StreamRunMetrics) => activity.heartbeat(m),
        });
      } catch (e) {
        if (e instanceof StreamJobRefusedError) throw ApplicationFailure.nonRetryable(e.message, STREAM_REFUSED);
        throw e;
      }
    },
  };
}
