import type { Database } from "../../db/client";
import { projects } from "../../db/schema/index";
import { checkLatePartitions } from "./checks";
import { deliverDueAlerts, type DeliverOptions } from "./deliver";

// The worker's alert loop: delivers the outbox every few seconds and looks for late days every few
// minutes. Several workers may run it: deliveries are leased, and events are keyed, so nothing is sent twice.

export interface AlertLoopOptions extends DeliverOptions {
  deliverEveryMs?: number;
  lateCheckEveryMs?: number;
  lateAfterMinutes?: number;
}

export function startAlertLoop(db: Database, opts: AlertLoopOptions = {}): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let lastLateCheck = 0;
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
