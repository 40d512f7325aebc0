import type { Orchestrator } from "../server/orchestration";

/**
 * Temporal behind the Orchestrator port for the length of a command (the one `tandem dev` registered for the
 * data folder, or TEMPORAL_ADDRESS), closed after; undefined when none is reachable. Loaded on use: only
 * commands that act on schedules and instances pay for the Temporal client.
 */
export async function withOrchestrator<T>(fn: (o: Orchestrator | undefined) => Promise<T>): Promise<T> {
  const { configuredOrchestrator } = await import("../workflows/orchestrator");
  const { closeTemporal } = await import("../workflows/client");
  try {
    return await fn(await configuredOrchestrator());
  } finally {
    await closeTemporal();
  }
}
