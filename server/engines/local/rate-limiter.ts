// Rows-per-second cap of a sink. A classic token bucket lets a full bucket plus one second of refill
// through in some 1-s window (up to twice the cap); the cap is a promise to the online database, so
// this bucket counts what was written in the last second instead (a sliding-window log of writes,
// timed at their completion) and admits a chunk only when the window plus the chunk stays within it.

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class RateLimiter {
  private readonly log: { at: number; rows: number }[] = [];
  private inWindow = 0;
  private nextAt = -Infinity;

  /**
   * @param rowsPerSecond the cap: no 1-s window may see more rows written
   * @param windowMs the window (1 s); a few ms of slack keep timer jitter from crossing the cap
   */
  constructor(readonly rowsPerSecond: number, private readonly clock: Clock = systemClock, private readonly windowMs = 1000, private readonly slackMs = 3) {
    if (!(rowsPerSecond > 0)) throw new Error(`a rate limit must be a positive number of rows per second, got ${rowsPerSecond}`);
  }

  /** The largest chunk worth writing at once: a tenth of the cap keeps throughput near the cap. */
  get chunkSize(): number {
    return Math.max(1, Math.floor(this.rowsPerSecond / 10));
  }

  /** Waits until `rows` more fit in the window, runs the write, and logs it at its completion time. */
  async write<T>(rows: number, fn: () => Promise<T>): Promise<T> {
    if (rows > this.rowsPerSecond) throw new Error(`a chunk of ${rows} rows cannot pass a cap of ${this.rowsPerSecond} rows/s; split it`);
    // Pace chunks evenly (a chunk of n rows every n/cap seconds) so the database sees a steady rate
    // rather than bursts at the start of each window; the window check below is the guarantee.
    const wait = this.nextAt - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait);
    for (;;) {
      const now = this.clock.now();
      this.expire(now);
      if (this.inWindow + rows <= this.rowsPerSecond) break;
      const oldest = this.log[0];
      // The oldest write leaves the window at oldest.at + window; wait for that (plus slack) and retry.
      await this.clock.sleep(oldest ? Math.max(1, oldest.at + this.windowMs + this.slackMs - now) : 1);
    }
    this.nextAt = Math.max(this.nextAt, this.clock.now()) + (rows / this.rowsPerSecond) * 1000;
    const out = await fn();
    this.log.push({ at: this.clock.now(), rows });
    this.inWindow += rows;
    return out;
  }

  private expire(now: number): void {
    while (this.log.length > 0) {
      const first = this.log[0];
      if (!first || first.at + this.windowMs + this.slackMs > now) break;
      this.log.shift();
      this.inWindow -= first.rows;
    }
  }
}

/** The largest number of rows in any window of `windowMs` over timed writes (for tests and the benchmark). */
export function worstWindow(writes: readonly { at: number; rows: number }[], windowMs = 1000): number {
  const sorted = [...writes].sort((a, b) => a.at - b.at);
  let worst = 0;
  let sum = 0;
  let lo = 0;
  for (const w of sorted) {
    sum += w.rows;
    // Window (w.at - windowMs, w.at]: drop writes at or before its open end.
    while (lo < sorted.length && (sorted[lo]?.at ?? Infinity) <= w.at - windowMs) {
      sum -= sorted[lo]?.rows ?? 0;
      lo++;
    }
    worst = Math.max(worst, sum);
  }
  return worst;
}
