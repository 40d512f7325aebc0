import {
  ActivityCancellationType, ActivityFailure, ApplicationFailure, CancellationScope, condition, defineQuery, defineSignal, isCancellation, patched, proxyActivities,
  setHandler, workflowInfo,
} from "@temporalio/workflow";
import type { TandemActivities } from "../activities/index";
import type { StreamSupervision } from "../../server/orchestration";

// One supervisor per running stream job (workflow id stream/<project>/<job>). It keeps the job's stream side
// running as one long activity (runStreamJob), and:
// - when the activity fails (the engine job died, or the worker did and its heartbeats stopped), starts it
//   again from its last checkpoint after a backoff (doubling, capped), counting restarts;
// - on `redeploy(version)` stops it with a savepoint and resumes the new version from that savepoint;
// - on `stop` (undeploy) stops it with a savepoint and ends, returning where it stopped.
// `supervision` answers its state; the orchestrator adds the metrics of the activity's last heartbeat.

export interface StreamSupervisorInput {
  project: string;
  job: string;
  version: number;
  /** First restart delay (default 5 s), doubled per failure in a row up to `maxRestartBackoffMs` (5 min). */
  restartBackoffMs?: number;
  maxRestartBackoffMs?: number;
  /** How long a silent worker is trusted (default 60 s): then the job restarts elsewhere. */
  heartbeatTimeoutMs?: number;
}

export const streamSupervision = defineQuery<StreamSupervision>("supervision");
export const redeployStream = defineSignal<[number]>("redeploy");
export const stopStream = defineSignal("stop");

const REFUSED = "StreamJobRefused"; // activities/stream.ts STREAM_REFUSED (workflow code imports no activity code)

type Outcome = { savepoint: string } | { error: unknown };

function errorText(e: unknown): string {
  const cause = e instanceof ActivityFailure ? e.cause : e;
  return cause instanceof Error ? cause.message : String(cause);
}

export async function streamSupervisor(input: StreamSupervisorInput): Promise<StreamSupervision> {
  const status: StreamSupervision = { version: input.version, state: "starting", restarts: 0, lastError: null, savepoint: null, metrics: null };
  // Objects: the determinism checker cannot see signal handlers set plain variables.
  const wanted = { version: input.version, stop: false };
  setHandler(streamSupervision, () => status);
  setHandler(redeployStream, (version) => { wanted.version = version; });
  setHandler(stopStream, () => { wanted.stop = true; });
  const run = proxyActivities<TandemActivities>({
    // The job runs until stopped: only the heartbeats bound an attempt. The supervisor does the retrying.
    startToCloseTimeout: "3650 days",
    heartbeatTimeout: input.heartbeatTimeoutMs ?? 60_000,
    retry: { maximumAttempts: 1 },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  // Recording a restart (its alert and the health score's count) is short and must never hold up the restart.
  const record = proxyActivities<TandemActivities>({ startToCloseTimeout: "30s", retry: { maximumAttempts: 3 } });
  let savepoint: string | null = null;
  let failuresInARow = 0;
  while (!wanted.stop) {
    status.version = wanted.version;
    status.state = "running";
    const scope = new CancellationScope();
    const settled: Promise<Outcome> = scope.run(() => run.runStreamJob({ project: input.project, job: input.job, version: status.version, savepoint }))
      .then((r) => r, (error: unknown) => ({ error }));
    const done: { outcome?: Outcome } = {};
    void settled.then((o) => { done.outcome = o; });
    await condition(() => done.outcome !== undefined || wanted.stop || wanted.version !== status.version);
    if (done.outcome === undefined) {
      status.state = "stopping";
      scope.cancel();
    }
    const outcome = await settled;
    if ("savepoint" in outcome) {
      savepoint = outcome.savepoint;
      status.savepoint = outcome.savepoint;
      failuresInARow = 0;
      continue;
    }
    savepoint = null;
    if (isCancellation(outcome.error)) continue; // stopped without a savepoint: the next start resumes from the last checkpoint
    status.lastError = errorText(outcome.error);
    if (outcome.error instanceof ActivityFailure && outcome.error.cause instanceof ApplicationFailure && outcome.error.cause.type === REFUSED) {
      status.state = "failed";
      return status;
    }
    failuresInARow++;
    status.restarts++;
    status.state = "restarting";
    // Recorded beside the backoff, not before it (supervisors started before restarts were recorded replay without it).
    if (patched("record-stream-restart")) {
      void record.recordStreamRestart({ project: input.project, job: input.job, version: status.version, runId: workflowInfo().runId, restarts: status.restarts, error: status.lastError })
        .catch(() => undefined);
    }
    const backoff = Math.min((input.restartBackoffMs ?? 5000) * 2 ** (failuresInARow - 1), input.maxRestartBackoffMs ?? 300_000);
    const seen = status.version;
    await condition(() => wanted.stop || wanted.version !== seen, backoff);
  }
  status.state = "stopped";
  status.metrics = null;
  return status;
}
