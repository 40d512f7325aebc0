// The parity suite's events (local/parity.test.ts): generated from a fixed seed so every run, and
// every machine, sees the same rows; spread over day D and the hours around it in a session zone, with
// events placed within seconds and milliseconds of local midnight on both sides of D.

export interface ParityZone {
  zone: string;
  /** The zone's UTC offset on day D (no DST change that day), as in an ISO timestamp. */
  offset: string;
}

/** One event as the topic carries it (JSON line); `wall` is its local wall clock in the zone. */
export interface ParityEvent {
  event_id: string;
  user_id: string;
  channel: string;
  ts_ms: number;
  new_flag: "Y" | "N";
  score: number | null;
  item_id: number;
  url: string;
  payload: string;
  wall: string;
}

/** mulberry32: a small seeded PRNG, so the data never depends on Math.random. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The wall clock of an instant in a zone, as 'yyyy-MM-dd HH:mm:ss.SSS'. */
export function localWall(zone: string, ms: number): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
  }).formatToParts(new Date(ms));
  const p = (type: Intl.DateTimeFormatPartTypes) => parts.find((x) => x.type === type)?.value ?? "";
  return `${p("year")}-${p("month")}-${p("day")} ${p("hour")}:${p("minute")}:${p("second")}.${String(((ms % 1000) + 1000) % 1000).padStart(3, "0")}`;
}

const CHANNELS = ["app", "app", "app", "web", "web", "mini", "h5"];
const PAYLOADS = ['{"os":"ios","v":1}', '{"os":"android"}', '{"os":"android","v":2}', '{"v":3}', "not json", '{"os":{"name":"x"}}'];

/**
 * About 3000 events from 6 h before local midnight of D to 6 h after the end of D, in time order
 * (strictly increasing epoch millis, so "first row" and windows have one answer), plus events at
 * −1 s, −1 ms, 0, +1 ms and +1 s around both midnights.
 */
export function generateEvents(z: ParityZone, day: string, seed: number): ParityEvent[] {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const start = Date.parse(`${day}T00:00:00${z.offset}`);
  const end = start + 86_400_000;
  const edges = [-1000, -1, 0, 1, 1000].flatMap((d) => [start + d, end + d]);
  const near = (ms: number) => Math.abs(ms - start) < 5000 || Math.abs(ms - end) < 5000;
  const times = new Set<number>(edges);
  while (times.size < 3000 + edges.length) {
    const ms = start - 6 * 3_600_000 + Math.floor(rand() * 36 * 3_600_000);
    if (!near(ms)) times.add(ms);
  }
  return [...times].sort((a, b) => a - b).map((ms, i) => {
    const item = 1 + Math.floor(rand() * 20);
    // Items 19 and 20 never carry a score: their groups have a NULL MAX and SUM.
    const score = item > 18 || rand() < 0.2 ? null : Math.floor(rand() * 100);
    return {
      event_id: `e${String(i).padStart(5, "0")}`,
      user_id: `u${String(1 + Math.floor(rand() * 250)).padStart(3, "0")}`,
      channel: pick(CHANNELS),
      ts_ms: ms,
      new_flag: rand() < 0.2 ? "Y" : "N",
      score,
      item_id: item,
      url: `https://shop.example/p/${item}?src=${rand() < 0.5 ? "ad" : "feed"}`,
      payload: pick(PAYLOADS),
      wall: localWall(z.zone, ms),
    };
  });
}
