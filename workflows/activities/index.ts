// Activities are thin: they call server/ operations as the `system` actor. A factory receives the
// dependencies, so the worker builds them once and tests build them with fakes.

export interface ActivityDeps {
  /** Clock, injectable for tests. */
  now?: () => Date;
}

export function createActivities(deps: ActivityDeps = {}) {
  const now = deps.now ?? (() => new Date());
  return {
    async recordHeartbeat(note: string): Promise<string> {
      return `${note} @ ${now().toISOString()}`;
    },
  };
}

export type TandemActivities = ReturnType<typeof createActivities>;
