import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { lit, q } from "./duck";
import { duckType } from "./types";
import { formatOf, jsonColumns, requireOption, resolvePath, type EngineEnv } from "./sources";
import type { LocalSource } from "./plan";

// Unbounded sources of the local engine. Each gives "the next rows after these offsets" as a query
// and reports the offsets after them; the runner commits those offsets in the same
// DuckDB transaction as the state they produced, so a restart resumes exactly where the last commit was.

/** Source position: JSON tail -> byte offset per file name; datagen -> { rows: n }. */
export type Offsets = Record<string, number>;

export interface InputSlice {
  rows: number;
  /** The offsets after these rows (committed with the batch that read them). */
  next: Offsets;
  /** A SELECT of the rows; empty when there are none. */
  select: string;
}

export interface StreamSource {
  /** Offsets of a job that has never run. */
  initialOffsets(startFrom: "earliest" | "latest"): Offsets;
  /**
   * The next up to `maxRows` rows after `offsets`, as a DuckDB query yielding the source table's
   * columns and types. The query reads the same rows every time it runs, until the next call.
   */
  slice(offsets: Offsets, maxRows: number): Promise<InputSlice>;
  /** Input not yet read (bytes for files, rows for datagen), for the lag metric. */
  backlog(offsets: Offsets): number;
  /** How often to look for new input when idle (source.monitor-interval). */
  pollMs: number;
  close(): void;
}

/**
 * Why the local engine cannot tail this table as a stream (a jdbc serving table, Parquet files), or
 * undefined when it can. Found at submit: restarting the job would not change the answer.
 */
export function unsupportedStreamSource(source: LocalSource): string | undefined {
  const t = source.table;
  if ((t.connection.type === "filesystem" && formatOf(t) === "json") || t.connection.type === "datagen") return undefined;
  return `the local engine cannot read '${t.table.name}' as a stream (connector '${t.connection.type}'${t.connection.type === "filesystem" ? `, format '${formatOf(t)}'` : ""}); supported stream sources: filesystem with format json (tailed), datagen`;
}

export function openStreamSource(source: LocalSource, env: EngineEnv, now: () => number = Date.now): StreamSource {
  const t = source.table;
  const unsupported = unsupportedStreamSource(source);
  if (unsupported) throw new Error(unsupported);
  if (t.connection.type === "datagen") return new DataGen(source, now);
  return new JsonTail(source, resolvePath(requireOption(t, "path"), env));
}

export function monitorIntervalMs(source: LocalSource): number {
  const raw = source.table.options["source.monitor-interval"];
  if (!raw) return 1000;
  const m = /^\s*(\d+)\s*(ms|s|min|m)?\s*$/i.exec(raw);
  if (!m) return 1000;
  const n = Number(m[1]);
  const unit = (m[2] ?? "ms").toLowerCase();
  return unit === "s" ? n * 1000 : unit === "min" || unit === "m" ? n * 60_000 : n;
}

/** JSON lines files in a folder, read like a topic: files in name order, whole lines only. */
export class JsonTail implements StreamSource {
  readonly pollMs: number;
  /**
   * The new lines of a slice, copied to a file of their own (in memory under /dev/shm). Two files take
   * turns, so the runner can read the next slice ahead while a batch still reads the current one.
   */
  private readonly sliceFiles: [string, string];
  private turn = 0;
  /** Read buffer, reused across slices (fresh large buffers cost page faults on every batch). */
  private buf = Buffer.allocUnsafe(1 << 20);
  /** Bytes per line seen so far: how much to read for the lines still wanted. */
  private lineBytes = 256;

  constructor(private readonly source: LocalSource, private readonly root: string) {
    this.pollMs = monitorIntervalMs(source);
    const shm = "/dev/shm";
    const tmp = fs.existsSync(shm) ? shm : os.tmpdir();
    const base = path.join(tmp, `tandem-slice-${process.pid}-${Math.random().toString(36).slice(2)}`);
    this.sliceFiles = [`${base}-a.json`, `${base}-b.json`];
  }

  private files(): { name: string; size: number }[] {
    if (!fs.existsSync(this.root)) return [];
    if (fs.statSync(this.root).isFile()) return [{ name: path.basename(this.root), size: fs.statSync(this.root).size }];
    return fs.readdirSync(this.root, { withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith(".") && !e.name.startsWith("_"))
      .map((e) => e.name)
      .sort()
      .map((name) => ({ name, size: fs.statSync(path.join(this.root, name)).size }));
  }

  private pathOf(name: string): string {
    return fs.existsSync(this.root) && fs.statSync(this.root).isFile() ? this.root : path.join(this.root, name);
  }

  initialOffsets(startFrom: "earliest" | "latest"): Offsets {
    return startFrom === "latest" ? Object.fromEntries(this.files().map((f) => [f.name, f.size])) : {};
  }

  backlog(offsets: Offsets): number {
    return this.files().reduce((a, f) => a + Math.max(0, f.size - (offsets[f.name] ?? 0)), 0);
  }

  async slice(offsets: Offsets, maxRows: number): Promise<InputSlice> {
    const next: Offsets = { ...offsets };
    let used = 0; // bytes of whole lines gathered in this.buf
    let rows = 0;
    for (const f of this.files()) {
      if (rows >= maxRows) break;
      const pos = offsets[f.name] ?? 0;
      if (f.size <= pos) continue;
      const fd = fs.openSync(this.pathOf(f.name), "r");
      try {
        // Read in steps until enough lines or the end of the file; a trailing partial line waits for its newline.
        let at = pos;
        while (rows < maxRows && at < f.size) {
          const want = Math.min(f.size - at, Math.max(64 * 1024, Math.ceil((maxRows - rows) * this.lineBytes * 1.1)));
          this.reserve(used + want);
          const n = fs.readSync(fd, this.buf, used, want, at);
          if (n <= 0) break;
          let end = used;
          let idx = -1;
          while (rows < maxRows && (idx = this.buf.indexOf(10, end)) !== -1 && idx < used + n) {
            end = idx + 1;
            rows++;
          }
          if (end === used) {
            if (at + n >= f.size || n < want) break; // the last line is not complete yet
            this.lineBytes *= 2; // a line longer than what was read: read more
            continue;
          }
          at += end - used;
          used = end;
        }
        next[f.name] = at;
      } finally {
        fs.closeSync(fd);
      }
    }
    if (rows === 0) return { rows, next, select: "" };
    this.lineBytes = Math.max(16, used / rows);
    this.turn = 1 - this.turn;
    const file = this.turn === 0 ? this.sliceFiles[0] : this.sliceFiles[1];
    fs.writeFileSync(file, this.buf.subarray(0, used));
    return { rows, next, select: `SELECT * FROM read_json(${lit(file)}, format = 'newline_delimited', columns = ${jsonColumns(this.source.table)})` };
  }

  private reserve(bytes: number): void {
    if (bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(bytes, this.buf.length * 2));
    this.buf.copy(bigger);
    this.buf = bigger;
  }

  close(): void {
    for (const f of this.sliceFiles) fs.rmSync(f, { force: true });
  }
}

/**
 * Flink's datagen connector: `rows-per-second`, `number-of-rows`, and per field `fields.<f>.kind`
 * (random | sequence), `.min`/`.max`, `.length`, `.start`/`.end`. Values are a function of the row
 * number, so replaying from an offset reproduces the same rows (exactly-once holds).
 */
export class DataGen implements StreamSource {
  readonly pollMs = 100;
  private readonly startedAt: number;
  private readonly rate: number;
  private readonly total: number;

  constructor(private readonly source: LocalSource, private readonly now: () => number) {
    const o = source.table.options;
    this.rate = Number(o["rows-per-second"] ?? 10_000);
    this.total = o["number-of-rows"] !== undefined ? Number(o["number-of-rows"]) : Infinity;
    this.startedAt = now();
  }

  initialOffsets(): Offsets {
    return { rows: 0 };
  }

  backlog(offsets: Offsets): number {
    return Math.max(0, Math.min(this.total - (offsets.rows ?? 0), this.dueHere()));
  }

  /** Rows due since this process started (a restarted job goes on at the configured rate, not in a burst). */
  private dueHere(): number {
    return Math.floor(((this.now() - this.startedAt) / 1000) * this.rate) - this.emittedHere;
  }

  private emittedHere = 0;

  async slice(offsets: Offsets, maxRows: number): Promise<InputSlice> {
    const from = offsets.rows ?? 0;
    const n = Math.max(0, Math.min(maxRows, this.total - from, this.dueHere()));
    if (n <= 0) return { rows: 0, next: { rows: from }, select: "" };
    this.emittedHere += n;
    const cols = this.source.table.table.columns.map((c) => `${this.fieldSql(c.name, duckType(c.type))} AS ${q(c.name)}`);
    return { rows: n, next: { rows: from + n }, select: `SELECT ${cols.join(", ")} FROM range(${from}, ${from + n}) AS t(i)` };
  }

  private fieldSql(name: string, type: string): string {
    const o = this.source.table.options;
    const get = (k: string) => o[`fields.${name}.${k}`];
    const kind = get("kind") ?? "random";
    const h = `hash(i, ${lit(name)})`;
    const numeric = /^(TINYINT|SMALLINT|INTEGER|BIGINT|FLOAT|DOUBLE|DECIMAL)/.test(type);
    if (kind === "sequence") {
      const start = Number(get("start") ?? 0);
      return `CAST(${start} + i AS ${type})`;
    }
    if (numeric) {
      const min = Number(get("min") ?? 0);
      const max = Number(get("max") ?? 1_000_000);
      return `CAST(${min} + ${h} % ${Math.max(1, max - min + 1)} AS ${type})`;
    }
    if (type === "VARCHAR") {
      const len = Number(get("length") ?? 10);
      return `substr(md5(${h}::VARCHAR), 1, ${Math.min(32, Math.max(1, len))})`;
    }
    if (type === "BOOLEAN") return `(${h} % 2 = 0)`;
    // An LTZ is the instant itself; casting epoch_ms's TIMESTAMP would read it in the session zone.
    if (type === "TIMESTAMPTZ") return `make_timestamptz((${this.startedAt}::BIGINT + i) * 1000)`;
    if (type.startsWith("TIMESTAMP")) return `CAST(epoch_ms(${this.startedAt}::BIGINT + i) AS ${type})`;
    return `CAST(NULL AS ${type})`;
  }

  close(): void {}
}
