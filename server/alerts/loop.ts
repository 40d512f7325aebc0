import type { Database } from "../../db/client";
import { projects } from "../../db/schema/index";
import { pruneHistory } from "../retention/index";
import { checkLatePartitions } from "./checks";
import { deliverDueAlerts, type DeliverOptions } from "./deliver";

// The worker's alert loop: delivers the outbox every few seconds and looks for late days every few
// minutes, and with `retainDays` prunes old history every hour (server/retention). Several workers may run
// it: deliveries are leased, and events are keyed, so nothing is sent twice.

export interface AlertLoopOptions extends DeliverOptions {
  deliverEveryMs?: number;
  lateCheckEveryMs?: number;
  lateAfterMinutes?: number;
  /** Quality results, alert events and deliveries older than this go (server/retention); 0 or unset: kept. */
  retainDays?: number;
  pruneEveryMs?: number;
}

export function startAlertLoop(db: Database, opts: AlertLoopOptions = {}): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let lastLateCheck = 0;
  let lastPrune = 0;
  const tick = async () => {
    try {
      await deliverDueAlerts(db, opts);
      if (Date.now() - lastLateCheck >= (opts.lateCheckEveryMs ?? 300_000)) {
        lastLateCheck = Date.now();
        const all = await db.select({ id: projects.id, name: projects.name }).from(projects);
        for (const project of all.filter((p) => !opts.projectId || p.id === opts.projectId)) {
          await checkLatePartitions({ db, actor: { kind: "system", reason: "alerts" }, project }, { lateAfterMinutes: opts.lateAfterMinutes });
        }
      }
    } catch (e) {
      console.error("[alerts] delivery round failed:", e instanceof Error ? e.message : e);
    }
    if (opts.retainDays && Date.now() - lastPrune >= (opts.pruneEveryMs ?? 3_600_000)) {
      lastPrune = Date.now();
      try {
        const pruned = await pruneHistory(db, { days: opts.retainDays });
        const n = pruned.qualityResults + pruned.alertEvents + pruned.alertDeliveries;
        if (n > 0) console.log(`[retention] removed ${pruned.qualityResults} quality results, ${pruned.alertEvents} alert events and ${pruned.alertDeliveries} deliveries older than ${opts.retainDays} days`);
      } catch (e) {
        console.error("[retention] pruning failed:", e instanceof Error ? e.message : e);
      }
    }
  };
  const timer = setInterval(() => {
    if (stopped) return;
    running = running.then(tick);
  }, opts.deliverEveryMs ?? 5_000);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
