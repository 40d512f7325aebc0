import { describe, expect, it } from "vitest";
import { RateLimiter, worstWindow, type Clock } from "./rate-limiter";

function fakeClock(): Clock & { t: number } {
  const c = { t: 0, now: () => c.t, sleep: async (ms: number) => { c.t += ms; } };
  return c;
}

describe("rate limiter", () => {
  it("never lets a 1-s window exceed the cap and keeps throughput near it", async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(5000, clock);
    const writes: { at: number; rows: number }[] = [];
    let total = 0;
    while (total < 50_000) {
      const n = Math.min(limiter.chunkSize, 50_000 - total);
      await limiter.write(n, async () => { clock.t += 7; }); // each write takes 7 ms
      writes.push({ at: clock.t, rows: n });
      total += n;
    }
    expect(worstWindow(writes)).toBeLessThanOrEqual(5000);
    const rate = total / (clock.t / 1000);
    expect(rate).toBeGreaterThanOrEqual(0.95 * 5000);
  });

  it("measures windows over timed writes", () => {
    expect(worstWindow([{ at: 0, rows: 10 }, { at: 999, rows: 5 }, { at: 1000, rows: 7 }, { at: 2500, rows: 1 }])).toBe(15); // (-1, 999]
  });

  it("rejects a chunk larger than the cap", async () => {
    await expect(new RateLimiter(10).write(11, async () => undefined)).rejects.toThrow(/split it/);
  });
});
