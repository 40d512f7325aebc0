import crypto from "node:crypto";
import {
  EngineError, UnknownJobError, UnsupportedJobError,
  type Engine, type EngineJobState, type EngineJobStatus, type PhysicalJobSubmission,
} from "../engine";
import { FlinkHttpError, SqlGatewayClient } from "./gateway-client";
import { FlinkRestClient, type FlinkJobState, type JobDetailsInfo } from "./rest-client";
import { splitStatements, statementKind } from "./statements";

// The flink engine: the side's Flink SQL script goes to the SQL Gateway in a session whose
// execution.runtime-mode is streaming (stream side) or batch (batch side); statements run in order,
// and the INSERT (or STATEMENT SET) yields the Flink job id. Status, metrics, cancel and savepoints
// then go to the JobManager REST API. Tested against a fake that follows the OpenAPI specs; not run
// against a live cluster (docs/engines.md).

export interface FlinkEngineOptions {
  /** SQL Gateway REST endpoint, e.g. http://flink-sql-gateway:8083 */
  gatewayUrl: string;
  /** JobManager REST endpoint, e.g. http://flink-jobmanager:8081 */
  restUrl: string;
  /** Default savepoint directory (state.savepoints.dir of the cluster applies when unset). */
  savepointDir?: string;
  pollMs?: number;
  /** How long a statement may take to be accepted by the gateway. */
  statementTimeoutMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

interface Entry {
  sub: PhysicalJobSubmission;
  session: string;
  flinkJobId: string;
  startedAt: string;
  state?: EngineJobState;
}

export class FlinkEngine implements Engine {
  readonly kind = "flink" as const;
  readonly gateway: SqlGatewayClient;
  readonly rest: FlinkRestClient;
  private readonly jobs = new Map<string, Entry>();
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: FlinkEngineOptions) {
    this.gateway = new SqlGatewayClient(opts.gatewayUrl, opts.fetch);
    this.rest = new FlinkRestClient(opts.restUrl, opts.fetch);
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  submit(sub: PhysicalJobSubmission): Promise<{ id: string }> {
    return this.start(sub);
  }

  resume(sub: PhysicalJobSubmission, savepoint: string): Promise<{ id: string }> {
    if (sub.side !== "stream") throw new UnsupportedJobError("only stream jobs resume from a savepoint");
    return this.start(sub, savepoint);
  }

  private async start(sub: PhysicalJobSubmission, savepoint?: string): Promise<{ id: string }> {
    if (!sub.flinkScript) throw new UnsupportedJobError(`job '${sub.job}' (${sub.side}) has no Flink script`);
    const statements = splitStatements(sub.flinkScript);
    const jobStatements = statements.filter((s) => ["insert", "statement-set"].includes(statementKind(s)));
    if (jobStatements.length !== 1) {
      throw new UnsupportedJobError(`a ${sub.side} script must hold exactly one INSERT or STATEMENT SET (one physical job); '${sub.job}' has ${jobStatements.length}`);
    }
    const properties: Record<string, string> = { "execution.runtime-mode": sub.side === "stream" ? "streaming" : "batch" };
    if (savepoint) properties["execution.savepoint.path"] = savepoint;
    const session = await this.gateway.openSession(properties, `tandem:${sub.job}:${sub.side}`);
    try {
      let flinkJobId: string | undefined;
      for (const [i, st] of statements.entries()) {
        const op = await this.gateway.executeStatement(session, st);
        await this.awaitOperation(session, op, i + 1, st);
        const kind = statementKind(st);
        if (kind === "insert" || kind === "statement-set") flinkJobId = await this.jobIdOf(session, op);
        await this.gateway.closeOperation(session, op);
      }
      if (!flinkJobId) throw new EngineError(`the gateway accepted '${sub.job}' but returned no job id`);
      const id = `${sub.job}:${sub.side}${sub.bizdate && sub.side === "batch" ? `:${sub.bizdate}` : ""}:${crypto.randomBytes(3).toString("hex")}`;
      this.jobs.set(id, { sub, session, flinkJobId, startedAt: new Date().toISOString() });
      return { id };
    } catch (e) {
      await this.gateway.closeSession(session).catch(() => undefined); // the submit error is what matters
      throw e;
    }
  }

  private async awaitOperation(session: string, op: string, n: number, statement: string): Promise<void> {
    const deadline = Date.now() + (this.opts.statementTimeoutMs ?? 120_000);
    for (;;) {
      const status = await this.gateway.operationStatus(session, op);
      if (status === "FINISHED") return;
      if (status === "ERROR" || status === "CANCELED" || status === "CLOSED" || status === "TIMEOUT") {
        // The gateway reports the cause when the results of a failed operation are fetched.
        let cause: string = status;
        try {
          await this.gateway.fetchResults(session, op, 0);
        } catch (e) {
          // Flink lists the wrapper first and the root cause last.
          if (e instanceof FlinkHttpError) cause = [...e.errors].reverse().find((x) => x.trim() !== "")?.split("\n")[0] ?? status;
        }
        const head = statement.split("\n").find((l) => l.trim() !== "" && !l.trim().startsWith("--")) ?? statement;
        throw new EngineError(`statement ${n} failed on Flink (${status}): ${cause}\n  statement: ${head.trim().slice(0, 200)}`);
      }
      if (Date.now() > deadline) throw new EngineError(`statement ${n} was not accepted within ${(this.opts.statementTimeoutMs ?? 120_000) / 1000}s`);
      await this.sleep(this.opts.pollMs ?? 200);
    }
  }

  private async jobIdOf(session: string, op: string): Promise<string | undefined> {
    for (let token = 0; token < 100;) {
      const r = await this.gateway.fetchResults(session, op, token);
      if (r.jobID) return r.jobID;
      const cols = r.results?.columns ?? r.results?.columnInfos ?? [];
      const idx = cols.findIndex((c) => c.name.toLowerCase() === "job id");
      const row = r.results?.data?.[0];
      if (idx >= 0 && row?.fields?.[idx] !== undefined) {
        const id: unknown = row.fields[idx];
        return typeof id === "string" ? id : JSON.stringify(id);
      }
      if (r.resultType === "EOS" || !r.nextResultUri) return undefined;
      if (r.resultType === "NOT_READY") await this.sleep(this.opts.pollMs ?? 200);
      else token++;
    }
    return undefined;
  }

  private entry(id: string): Entry {
    const e = this.jobs.get(id);
    if (!e) throw new UnknownJobError(id);
    return e;
  }

  async status(id: string): Promise<EngineJobStatus> {
    const e = this.entry(id);
    const job = await this.rest.job(e.flinkJobId);
    const cps = e.sub.side === "stream" ? await this.rest.checkpoints(e.flinkJobId).catch(() => undefined) : undefined;
    const { rowsIn, rowsOut } = ioTotals(job);
    const completed = cps?.latest?.completed;
    const state = e.state ?? mapState(job.state);
    const seconds = (job.duration ?? 0) / 1000;
    return {
      id, engine: "flink", job: e.sub.job, side: e.sub.side, state, startedAt: e.startedAt,
      endedAt: job["end-time"] && job["end-time"] > 0 ? new Date(job["end-time"]).toISOString() : undefined,
      engineJobId: e.flinkJobId,
      metrics: {
        rowsIn, rowsOut,
        throughputPerSec: seconds > 0 ? Math.round(rowsIn / seconds) : undefined,
        lastCheckpoint: completed ? { id: String(completed.id), at: new Date(completed.latest_ack_timestamp ?? 0).toISOString(), position: completed.external_path } : undefined,
      },
    };
  }

  async wait(id: string, opts: { timeoutMs?: number } = {}): Promise<EngineJobStatus> {
    const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
    for (;;) {
      const s = await this.status(id);
      if (s.state !== "running" || Date.now() > deadline) return s;
      await this.sleep(this.opts.pollMs ?? 1000);
    }
  }

  async cancel(id: string): Promise<void> {
    const e = this.entry(id);
    await this.rest.cancel(e.flinkJobId);
    e.state = "cancelled";
    await this.gateway.closeSession(e.session).catch(() => undefined); // the job outlives its session; closing is tidiness
  }

  async stopWithSavepoint(id: string, opts: { targetDirectory?: string } = {}): Promise<{ savepoint: string }> {
    const e = this.entry(id);
    if (e.sub.side !== "stream") throw new UnsupportedJobError("only stream jobs stop with a savepoint");
    const trigger = await this.rest.stopWithSavepoint(e.flinkJobId, { targetDirectory: opts.targetDirectory ?? this.opts.savepointDir, drain: false });
    for (;;) {
      const r = await this.rest.savepointStatus(e.flinkJobId, trigger);
      if (r.status.id === "COMPLETED") {
        const failure = r.operation?.["failure-cause"];
        if (failure || !r.operation?.location) throw new EngineError(`stop-with-savepoint of ${e.flinkJobId} failed: ${failure?.class ?? ""} ${failure?.["stack-trace"]?.split("\n")[0] ?? "no location returned"}`.trim());
        e.state = "stopped";
        await this.gateway.closeSession(e.session).catch(() => undefined); // see cancel
        return { savepoint: r.operation.location };
      }
      await this.sleep(this.opts.pollMs ?? 500);
    }
  }

  async close(): Promise<void> {
    for (const e of this.jobs.values()) await this.gateway.closeSession(e.session).catch(() => undefined); // best effort on shutdown
  }
}

function mapState(s: FlinkJobState): EngineJobState {
  switch (s) {
    case "FINISHED": return "finished";
    case "FAILED": return "failed";
    case "CANCELED": return "cancelled";
    case "SUSPENDED": return "stopped";
    default: return "running"; // INITIALIZING, CREATED, RUNNING, FAILING, CANCELLING, RESTARTING, RECONCILING
  }
}

/** Rows in = what the sources emitted (first vertex), rows out = what the sinks received (last vertex). */
function ioTotals(job: JobDetailsInfo): { rowsIn: number; rowsOut: number } {
  const v = job.vertices ?? [];
  const sum = (vx: (typeof v)[number] | undefined, key: "read-records" | "write-records") =>
    vx?.metrics?.[key] ?? (vx?.subtasks ?? []).reduce((a, st) => a + (st.metrics?.[key] ?? 0), 0);
  return { rowsIn: sum(v[0], "write-records"), rowsOut: sum(v[v.length - 1], "read-records") };
}
