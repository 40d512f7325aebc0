import fs from "node:fs";
import path from "node:path";
import { DuckSession, lit } from "../engines/local/duck";

// Demo events for the Double 11 campaign, deterministic from (seed, index): the same rows can be
// written as the live topic (JSON lines: ods_coupon_events_rt) and as a warehouse partition (Parquet:
// ods_coupon_events_di, dt=...), which is what the stream-vs-batch consistency test relies on.

export interface DemoEventRange {
  /** First event index (event ids are `<prefix>-<index>`). */
  from: number;
  count: number;
  /** Event times spread evenly over [startMs, startMs + spanMs). */
  startMs: number;
  spanMs: number;
  seed?: number;
  users?: number;
  coupons?: number;
  prefix?: string;
}

export const DEMO_COUPONS = 50;

/** DuckDB SELECT of demo events in the topic's shape: event_id, user_id, coupon_id, action, amount_cents, ts_ms. */
export function demoEventsSql(r: DemoEventRange): string {
  const seed = r.seed ?? 11;
  const users = r.users ?? 200_000;
  const coupons = r.coupons ?? DEMO_COUPONS;
  const prefix = r.prefix ?? "e";
  const h = (tag: string) => `hash(i, ${seed}, ${lit(tag)})`;
  return `SELECT
    ${lit(prefix)} || '-' || i::VARCHAR AS event_id,
    (1 + floor(pow((${h("u")} % 1000003) / 1000003.0, 2) * ${users}))::BIGINT AS user_id,
    (1 + ${h("c")} % ${coupons})::BIGINT AS coupon_id,
    CASE WHEN ${h("a")} % 100 < 80 THEN 'view' WHEN ${h("a")} % 100 < 95 THEN 'claim' ELSE 'redeem' END AS action,
    CASE WHEN ${h("a")} % 100 >= 95 THEN (500 + (${h("m")} % 50) * 100)::BIGINT ELSE 0::BIGINT END AS amount_cents,
    (${r.startMs}::BIGINT + ((i - ${r.from}) * ${r.spanMs}::HUGEINT // ${Math.max(1, r.count)})::BIGINT) AS ts_ms
  FROM range(${r.from}, ${r.from + r.count}) AS t(i)`;
}

/** The same events in the warehouse's shape: user_id STRING, action_type V|C|R, amount DECIMAL(12,2), event_time TIMESTAMP(3). */
export function demoWarehouseSql(r: DemoEventRange): string {
  return `SELECT event_id, user_id::VARCHAR AS user_id, coupon_id,
    CASE action WHEN 'view' THEN 'V' WHEN 'claim' THEN 'C' ELSE 'R' END AS action_type,
    (amount_cents::DECIMAL(14, 2) / 100)::DECIMAL(12, 2) AS amount,
    epoch_ms(ts_ms) AS event_time
  FROM (${demoEventsSql(r)})`;
}

export function dayStartMs(day: string): number {
  const ms = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`'${day}' is not a date; use YYYY-MM-DD`);
  return ms;
}

export function addDaysIso(day: string, n: number): string {
  return new Date(dayStartMs(day) + n * 86_400_000).toISOString().slice(0, 10);
}

export interface DayOptions {
  day: string;
  count: number;
  seed?: number;
  users?: number;
}

function dayRange(o: DayOptions): DemoEventRange {
  // Each day gets its own id space so days never share event ids.
  const dayIndex = Math.floor(dayStartMs(o.day) / 86_400_000);
  return { from: dayIndex * 10_000_000, count: o.count, startMs: dayStartMs(o.day), spanMs: 86_400_000, seed: o.seed, users: o.users, prefix: `e${o.day.replace(/-/g, "")}` };
}

/** Writes one day of events as the Parquet partition `<root>/dt=<day>/part-0.parquet` (replacing it). */
export async function writeHistoryPartition(root: string, o: DayOptions, session?: DuckSession): Promise<string> {
  const dir = path.join(root, `dt=${o.day}`);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "part-0.parquet");
  const tmp = path.join(dir, ".part-0.parquet.tmp");
  const s = session ?? (await DuckSession.open());
  try {
    await s.run(`COPY (${demoWarehouseSql(dayRange(o))}) TO ${lit(tmp)} (FORMAT parquet)`);
    fs.renameSync(tmp, file);
  } finally {
    if (!session) s.close();
  }
  return file;
}

/** Writes one day of the same events to the topic folder as JSON lines (file `<day>.jsonl` unless named). */
export async function writeTopicDay(topicDir: string, o: DayOptions & { file?: string }, session?: DuckSession): Promise<string> {
  fs.mkdirSync(topicDir, { recursive: true });
  const file = path.join(topicDir, o.file ?? `events-${o.day}.jsonl`);
  const tmp = path.join(topicDir, `.${path.basename(file)}.tmp`);
  const s = session ?? (await DuckSession.open());
  try {
    await s.run(`COPY (${demoEventsSql(dayRange(o))} ORDER BY i) TO ${lit(tmp)} (FORMAT json)`);
    fs.renameSync(tmp, file);
  } finally {
    if (!session) s.close();
  }
  return file;
}

/** The coupon dimension: coupon_id, coupon_name, campaign, face_value_cents (Parquet, replaced). */
export async function writeDimCoupon(root: string, coupons = DEMO_COUPONS, session?: DuckSession): Promise<string> {
  fs.mkdirSync(root, { recursive: true });
  const file = path.join(root, "part-0.parquet");
  const tmp = path.join(root, ".part-0.parquet.tmp");
  const s = session ?? (await DuckSession.open());
  try {
    await s.run(`COPY (SELECT i::BIGINT AS coupon_id, 'Coupon ' || i::VARCHAR AS coupon_name,
        CASE WHEN i % 2 = 0 THEN 'double11-main' ELSE 'double11-warmup' END AS campaign,
        (500 + (i % 10) * 100)::BIGINT AS face_value_cents FROM range(1, ${coupons + 1}) AS t(i))
      TO ${lit(tmp)} (FORMAT parquet)`);
    fs.renameSync(tmp, file);
  } finally {
    if (!session) s.close();
  }
  return file;
}

export interface LiveGeneratorOptions {
  topicDir: string;
  /** Events per second. */
  rate: number;
  seed?: number;
  /** Time is an input: the clock of the event times and of pacing. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Stop after this many events (tests); unbounded by default. */
  limit?: number;
  signal?: AbortSignal;
  onTick?: (written: number) => void;
}

/**
 * Appends live events to `<topicDir>/live-<start>.jsonl` at `rate` events/s with current event times,
 * one write per 100 ms tick, whole lines only, so a tailing job never sees half an event.
 */
export async function generateLive(o: LiveGeneratorOptions): Promise<number> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  fs.mkdirSync(o.topicDir, { recursive: true });
  const started = now();
  const file = path.join(o.topicDir, `live-${new Date(started).toISOString().replace(/[-:]/g, "").slice(0, 15)}.jsonl`);
  const s = await DuckSession.open();
  const fd = fs.openSync(file, "a");
  let written = 0;
  try {
    while (!o.signal?.aborted && (o.limit === undefined || written < o.limit)) {
      const due = Math.floor(((now() - started) / 1000) * o.rate) + Math.min(o.rate, Math.ceil(o.rate / 10));
      let n = Math.max(0, due - written);
      if (o.limit !== undefined) n = Math.min(n, o.limit - written);
      if (n > 0) {
        const t = now();
        const rows = await s.rows(`${demoEventsSql({ from: Math.floor(started) * 1000 + written, count: n, startMs: t, spanMs: 100, seed: o.seed, prefix: "live" })} ORDER BY i`);
        const text = rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? Number(v) : v))).join("\n") + "\n";
        fs.writeSync(fd, text);
        written += n;
        o.onTick?.(written);
      }
      await sleep(100);
    }
  } finally {
    fs.closeSync(fd);
    s.close();
  }
  return written;
}
