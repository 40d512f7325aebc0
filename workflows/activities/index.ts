// Activities are thin: they call server/ operations as the `system` actor. A factory receives the
// dependencies, so the worker builds them once and tests build them with fakes.

import { createSchedulerActivities, type SchedulerDeps } from "./scheduler";
import { createStreamActivities } from "./stream";

export interface ActivityDeps {
  /** Clock, injectable for tests. */
  now?: () => Date;
  /** The scheduler's database, engines and orchestrator; without them its activities refuse to run. */
  scheduler?: SchedulerDeps;
}

export function createActivities(deps: ActivityDeps = {}) {
  const now = deps.now ?? (() => new Date());
  return {
    ...createSchedulerActivities(deps.scheduler),
    ...createStreamActivities(deps.scheduler),
    async recordHeartbeat(note: string): Promise<string> {
      return `${note} @ ${now().toISOString()}`;
    },
  };
}

export type TandemActivities = ReturnType<typeof createActivities>;
