import { Cron } from "croner";
import { bizdateFor, type BizdateSettings } from "./bizdate";

// The next firings of a job's batch schedule and the day each one processes, for the settings panel (so
// a developer sees what "0 30 0 * * *" in Asia/Shanghai with offset -1 means before deploying it).

export interface ScheduledRun {
  at: Date;
  /** yyyy-MM-dd: the partition that firing processes. */
  bizdate: string;
}

export type NextRunsResult = { ok: true; runs: ScheduledRun[] } | { ok: false; error: string };

export function nextRuns(settings: BizdateSettings & { cron: string }, from: Date, count = 5): NextRunsResult {
  let cron: Cron;
  try {
    cron = new Cron(settings.cron, { timezone: settings.timezone, paused: true });
  } catch (e) {
    return { ok: false, error: `the schedule '${settings.cron}' in ${settings.timezone} is not valid: ${e instanceof Error ? e.message : String(e)}` };
  }
  const runs: ScheduledRun[] = [];
  let after = from;
  try {
    for (let i = 0; i < count; i++) {
      const next = cron.nextRun(after);
      if (!next) break;
      runs.push({ at: next, bizdate: bizdateFor(next, settings).format("yyyy-MM-dd") });
      after = next;
    }
  } catch {
    // croner checks the zone only when it computes a date; a zone typed halfway is the usual cause.
    return { ok: false, error: `the time zone '${settings.timezone}' is unknown; use an IANA name such as Asia/Shanghai or UTC` };
  }
  return runs.length > 0 ? { ok: true, runs } : { ok: false, error: `the schedule '${settings.cron}' never fires` };
}
