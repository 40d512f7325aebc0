import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { localSetup } from "../../sql/translate/local";

// A thin session over one DuckDB database: the engine's only way to run SQL. DuckDB allows one
// process per database file, so a stream job owns its state file for as long as it runs.

export type Row = Record<string, unknown>;

export class DuckSession {
  /** Profiling hook (benchmarks): called after each statement with its duration. */
  onStatement?: (sql: string, ms: number) => void;

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    readonly path: string,
  ) {}

  /**
   * Opens (or creates) a database file, or ":memory:", with the local scripts' settings: the session
   * time zone (a DuckDB/ICU name, default UTC) and Flink's integer division.
   */
  static async open(path = ":memory:", opts: { threads?: number; timeZone?: string } = {}): Promise<DuckSession> {
    const options: Record<string, string> = {};
    if (opts.threads) options.threads = String(opts.threads);
    const instance = await DuckDBInstance.create(path, options);
    const connection = await instance.connect();
    const s = new DuckSession(instance, connection, path);
    for (const setting of localSetup(opts.timeZone)) await s.run(setting);
    return s;
  }

  async run(sql: string): Promise<void> {
    const t0 = this.onStatement ? performance.now() : 0;
    try {
      await this.connection.run(sql);
      this.onStatement?.(sql, performance.now() - t0);
    } catch (e) {
      throw new DuckError(sql, e);
    }
  }

  /**
   * Runs statements in one call: DuckDB executes them in order, and one call instead of one per
   * statement saves a round trip each (~0.3 ms; BENCHMARKS.md, Engines). Returns the rows of `select`,
   * which runs last. While profiling (onStatement set) they run one by one, so each has its own time.
   */
  async script(statements: string[], select?: string): Promise<Row[]> {
    if (this.onStatement) {
      for (const sql of statements) await this.run(sql);
      return select ? this.rows(select) : [];
    }
    const all = select ? [...statements, select] : statements;
    if (all.length === 0) return [];
    return this.rows(all.join(";\n"));
  }

  /** Rows as plain JS values (BIGINT as bigint, DECIMAL as number, timestamps as Date). */
  async rows(sql: string): Promise<Row[]> {
    const t0 = this.onStatement ? performance.now() : 0;
    try {
      const reader = await this.connection.runAndReadAll(sql);
      const rows = reader.getRowObjectsJS() as Row[];
      this.onStatement?.(sql, performance.now() - t0);
      return rows;
    } catch (e) {
      throw new DuckError(sql, e);
    }
  }

  /** Column names and DuckDB type names of a query, without running it for its rows. */
  async describe(sql: string): Promise<{ name: string; type: string }[]> {
    const rows = await this.rows(`DESCRIBE ${sql}`);
    return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  }

  async scalar(sql: string): Promise<unknown> {
    const rows = await this.rows(sql);
    const first = rows[0];
    return first ? Object.values(first)[0] : undefined;
  }

  /** Runs fn in one transaction: everything it writes commits together or not at all. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.run("BEGIN TRANSACTION");
    try {
      const out = await fn();
      await this.run("COMMIT");
      return out;
    } catch (e) {
      // The original error matters more than a failed rollback (the connection may already be aborted).
      await this.run("ROLLBACK").catch(() => undefined);
      throw e;
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

export class DuckError extends Error {
  constructor(readonly sql: string, cause: unknown) {
    super(`${cause instanceof Error ? cause.message : String(cause)}\n  while running: ${sql.length > 400 ? `${sql.slice(0, 400)}...` : sql}`, { cause });
  }
}

/** A DuckDB identifier, always double-quoted. */
export function q(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A DuckDB string literal. */
export function lit(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
