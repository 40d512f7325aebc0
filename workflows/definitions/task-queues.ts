// Where activities run. A backfill's days run their engine work on a queue of their own beside Tandem's
// queue, served by worker slots of their own (`TANDEM_BACKFILL_SLOTS`): however many days a backfill has
// in flight, a scheduled day never queues behind them for a slot. Pure, so workflow code may use it.

export function backfillTaskQueue(taskQueue: string): string {
  return `${taskQueue}-backfill`;
}
