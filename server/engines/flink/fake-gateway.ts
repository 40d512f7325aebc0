import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { splitStatements, statementKind, stripComments } from "./statements";

// A small fake of the Flink SQL Gateway (rest_v4_sql_gateway.yml) and the JobManager REST API
// (rest_v1_dispatcher.yml) for the adapter's tests: the documented paths, payload field names and
// status codes, with just enough behaviour (sessions, a table namespace, jobs, checkpoints, savepoints)
// to exercise the client. It is not Flink: it checks table names, not SQL semantics.

export interface FakeJob {
  jid: string;
  name: string;
  runtimeMode: string;
  state: "RUNNING" | "FINISHED" | "CANCELED" | "FAILED";
  statement: string;
  sessionProperties: Record<string, string>;
  startTime: number;
  endTime: number;
  readRecords: number;
  writeRecords: number;
  checkpoints: number;
  /** batch jobs finish after this many GET /jobs/{id} */
  ticksToFinish: number;
}

interface Operation {
  session: string;
  status: "RUNNING" | "FINISHED" | "ERROR";
  final: "FINISHED" | "ERROR";
  polls: number;
  error?: string;
  jobId?: string;
  result?: { columns: string[]; rows: unknown[][] };
}

interface Session {
  properties: Record<string, string>;
  name?: string;
  tables: Set<string>;
}

export interface RecordedRequest {
  server: "gateway" | "rest";
  method: string;
  path: string;
  body: unknown;
}

const hex32 = () => crypto.randomBytes(16).toString("hex");

export class FakeFlink {
  readonly sessions = new Map<string, Session>();
  readonly operations = new Map<string, Operation>();
  readonly jobs = new Map<string, FakeJob>();
  readonly requests: RecordedRequest[] = [];
  private readonly savepoints = new Map<string, { jid: string; polls: number; location?: string; failure?: string }>();
  private gatewayServer?: http.Server;
  private restServer?: http.Server;
  gatewayUrl = "";
  restUrl = "";

  async start(): Promise<this> {
    this.gatewayServer = http.createServer((req, res) => void this.serve("gateway", req, res));
    this.restServer = http.createServer((req, res) => void this.serve("rest", req, res));
    this.gatewayUrl = await listen(this.gatewayServer);
    this.restUrl = await listen(this.restServer);
    return this;
  }

  async stop(): Promise<void> {
    await Promise.all([this.gatewayServer, this.restServer].map((s) => new Promise<void>((r) => (s ? s.close(() => r()) : r()))));
  }

  private async serve(server: "gateway" | "rest", req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown = undefined;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        send(res, 400, { errors: ["Request did not match expected format."] });
        return;
      }
    }
    const url = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    this.requests.push({ server, method, path: url.pathname + url.search, body });
    try {
      const out = server === "gateway" ? this.gateway(method, url, body) : this.rest(method, url, body);
      send(res, out.status, out.body);
    } catch (e) {
      send(res, 500, { errors: ["Internal server error.", e instanceof Error ? e.message : String(e)] });
    }
  }

  // --- SQL Gateway ---------------------------------------------------------------------------------

  private gateway(method: string, url: URL, body: unknown): { status: number; body: unknown } {
    const p = url.pathname;
    if (method === "GET" && p === "/api_versions") return ok({ versions: ["V1", "V2", "V3", "V4"] });
    if (method === "GET" && p === "/info") return ok({ productName: "Apache Flink", version: "fake" });
    const m = /^\/v([1-4])(\/.*)$/.exec(p);
    if (!m) return notFound(p);
    const version = `v${m[1]!}`;
    const rest = m[2] ?? "";
    let r: RegExpExecArray | null;
    if (method === "POST" && rest === "/sessions") {
      const b = (body ?? {}) as { properties?: Record<string, string>; sessionName?: string };
      const handle = crypto.randomUUID();
      this.sessions.set(handle, { properties: { ...(b.properties ?? {}) }, name: b.sessionName, tables: new Set() });
      return ok({ sessionHandle: handle });
    }
    if ((r = /^\/sessions\/([^/]+)$/.exec(rest))) {
      const s = this.session(r[1] ?? "");
      if (!s) return missingSession(r[1] ?? "");
      if (method === "GET") return ok({ properties: s.properties });
      if (method === "DELETE") {
        this.sessions.delete(r[1] ?? "");
        return ok({ status: "CLOSED" });
      }
    }
    if ((r = /^\/sessions\/([^/]+)\/heartbeat$/.exec(rest)) && method === "POST") {
      return this.session(r[1] ?? "") ? ok({}) : missingSession(r[1] ?? "");
    }
    if ((r = /^\/sessions\/([^/]+)\/statements$/.exec(rest)) && method === "POST") {
      const sessionId = r[1] ?? "";
      const s = this.session(sessionId);
      if (!s) return missingSession(sessionId);
      const b = (body ?? {}) as { statement?: unknown; executionConfig?: Record<string, string> };
      if (typeof b.statement !== "string") return { status: 400, body: { errors: ["Field 'statement' is missing."] } };
      const handle = crypto.randomUUID();
      this.operations.set(handle, this.execute(sessionId, s, b.statement, b.executionConfig ?? {}));
      return ok({ operationHandle: handle });
    }
    if ((r = /^\/sessions\/([^/]+)\/operations\/([^/]+)\/(status|cancel|close)$/.exec(rest))) {
      const op = this.operations.get(r[2] ?? "");
      if (!this.session(r[1] ?? "")) return missingSession(r[1] ?? "");
      if (!op) return { status: 500, body: { errors: [`Can not find the submitted operation in the OperationManager with the ${r[2]!}.`] } };
      if (r[3] === "status" && method === "GET") {
        op.polls++;
        if (op.polls > 1) op.status = op.final; // RUNNING on the first poll: statements are asynchronous
        return ok({ status: op.status });
      }
      if (r[3] === "cancel" && method === "POST") return ok({ status: "CANCELED" });
      if (r[3] === "close" && method === "DELETE") {
        this.operations.delete(r[2] ?? "");
        return ok({ status: "CLOSED" });
      }
    }
    if ((r = /^\/sessions\/([^/]+)\/operations\/([^/]+)\/result\/(\d+)$/.exec(rest)) && method === "GET") {
      if (!this.session(r[1] ?? "")) return missingSession(r[1] ?? "");
      const op = this.operations.get(r[2] ?? "");
      if (!op) return { status: 500, body: { errors: [`Can not find the submitted operation in the OperationManager with the ${r[2]!}.`] } };
      const rowFormat = url.searchParams.get("rowFormat");
      if (version !== "v1" && rowFormat !== "JSON" && rowFormat !== "PLAIN_TEXT") return { status: 400, body: { errors: ["Missing required query parameter 'rowFormat'."] } };
      if (op.status === "ERROR") return { status: 500, body: { errors: ["org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.", op.error ?? ""] } };
      if (op.status !== "FINISHED") return ok({ resultType: "NOT_READY", nextResultUri: `/${version}/sessions/${r[1]!}/operations/${r[2]!}/result/${r[3]!}?rowFormat=JSON` });
      const token = Number(r[3]);
      const result = op.result ?? { columns: ["result"], rows: [["OK"]] };
      if (token > 0) return ok({ resultType: "EOS", resultKind: op.jobId ? "SUCCESS_WITH_CONTENT" : "SUCCESS", queryResult: false, results: { columnInfos: [], data: [], rowFormat: "JSON" } });
      return ok({
        resultType: "PAYLOAD",
        resultKind: op.jobId ? "SUCCESS_WITH_CONTENT" : "SUCCESS",
        queryResult: false,
        ...(op.jobId ? { jobID: op.jobId } : {}),
        results: {
          columnInfos: result.columns.map((name) => ({ name, logicalType: { type: "VARCHAR", nullable: true, length: 2147483647 }, comment: null })),
          data: result.rows.map((fields) => ({ kind: "INSERT", fields })),
          rowFormat: "JSON",
        },
        nextResultUri: `/${version}/sessions/${r[1]!}/operations/${r[2]!}/result/${token + 1}?rowFormat=JSON`,
      });
    }
    return notFound(p);
  }

  private session(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  private execute(sessionId: string, s: Session, statement: string, config: Record<string, string>): Operation {
    const op: Operation = { session: sessionId, status: "RUNNING", final: "FINISHED", polls: 0 };
    const fail = (msg: string) => ({ ...op, final: "ERROR" as const, error: msg });
    const code = stripComments(statement).trim();
    const kind = statementKind(statement);
    if (kind === "set") {
      const m = /^SET\s+'([^']+)'\s*=\s*'((?:[^']|'')*)'\s*$/i.exec(code);
      if (!m) return fail(`org.apache.flink.table.api.SqlParserException: SQL parse failed. ${code.slice(0, 80)}`);
      s.properties[m[1] ?? ""] = (m[2] ?? "").replace(/''/g, "'");
      return op;
    }
    if (kind === "ddl") {
      const m = /^CREATE\s+(?:TEMPORARY\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?(`(?:[^`]|``)+`|[A-Za-z_][A-Za-z0-9_]*)/i.exec(code);
      if (m?.[1]) s.tables.add(m[1].replace(/`/g, "").toLowerCase());
      return op;
    }
    if (kind === "insert" || kind === "statement-set") {
      const targets = [...code.matchAll(/INSERT\s+(?:INTO|OVERWRITE)\s+(`(?:[^`]|``)+`|[A-Za-z_][A-Za-z0-9_.]*)/gi)].map((x) => (x[1] ?? "").replace(/`/g, "").toLowerCase());
      const missing = targets.find((t) => !s.tables.has(t));
      if (targets.length === 0) return fail("org.apache.flink.table.api.SqlParserException: SQL parse failed.");
      if (missing) return fail(`org.apache.flink.table.api.ValidationException: Object '${missing}' not found within 'default_catalog.default_database'`);
      const props = { ...s.properties, ...config };
      const jid = hex32();
      const now = Date.now();
      this.jobs.set(jid, {
        jid, name: props["pipeline.name"] ?? `insert-into_default_catalog.default_database.${targets[0]!}`,
        runtimeMode: props["execution.runtime-mode"] ?? "streaming", state: "RUNNING", statement, sessionProperties: props,
        startTime: now, endTime: -1, readRecords: 0, writeRecords: 0, checkpoints: 0, ticksToFinish: 2,
      });
      return { ...op, jobId: jid, result: { columns: ["job id"], rows: [[jid]] } };
    }
    if (kind === "query") return { ...op, result: { columns: ["EXPR$0"], rows: [[1]] } };
    return fail(`org.apache.flink.table.api.SqlParserException: SQL parse failed. Unsupported statement: ${code.slice(0, 40)}`);
  }

  // --- JobManager REST ------------------------------------------------------------------------------

  private rest(method: string, url: URL, body: unknown): { status: number; body: unknown } {
    const p = url.pathname.replace(/^\/v1(?=\/)/, "");
    let r: RegExpExecArray | null;
    if ((r = /^\/jobs\/([0-9a-f]{32})$/.exec(p))) {
      const job = this.jobs.get(r[1] ?? "");
      if (!job) return { status: 404, body: { errors: [`Job ${r[1]!} not found`] } };
      if (method === "GET") return ok(this.details(job));
      if (method === "PATCH") {
        const mode = (url.searchParams.get("mode") ?? "cancel").toLowerCase();
        if (mode !== "cancel" && mode !== "stop") return { status: 400, body: { errors: [`Invalid termination mode ${mode}`] } };
        if (job.state === "RUNNING") this.end(job, "CANCELED");
        return { status: 202, body: {} };
      }
    }
    if ((r = /^\/jobs\/([0-9a-f]{32})\/checkpoints$/.exec(p)) && method === "GET") {
      const job = this.jobs.get(r[1] ?? "");
      if (!job) return { status: 404, body: { errors: [`Job ${r[1]!} not found`] } };
      if (job.state === "RUNNING" && job.runtimeMode === "streaming") job.checkpoints++;
      const now = Date.now();
      const completed = job.checkpoints > 0
        ? { className: "completed", id: job.checkpoints, status: "COMPLETED", is_savepoint: false, trigger_timestamp: now - 50, latest_ack_timestamp: now, state_size: 1024, end_to_end_duration: 50, num_subtasks: 2, num_acknowledged_subtasks: 2, checkpoint_type: "CHECKPOINT", external_path: `file:/tmp/flink-checkpoints/${job.jid}/chk-${job.checkpoints}`, discarded: false }
        : null;
      return ok({ counts: { restored: 0, total: job.checkpoints, in_progress: 0, completed: job.checkpoints, failed: 0 }, summary: {}, latest: { completed, savepoint: null, failed: null, restored: null }, history: completed ? [completed] : [] });
    }
    if ((r = /^\/jobs\/([0-9a-f]{32})\/(stop|savepoints)$/.exec(p)) && method === "POST") {
      const job = this.jobs.get(r[1] ?? "");
      if (!job) return { status: 404, body: { errors: [`Job ${r[1]!} not found`] } };
      const b = (body ?? {}) as { targetDirectory?: string; "target-directory"?: string; drain?: boolean; "cancel-job"?: boolean };
      const dir = r[2] === "stop" ? b.targetDirectory : b["target-directory"];
      const trigger = hex32();
      this.savepoints.set(trigger, dir
        ? { jid: job.jid, polls: 0, location: `${dir.replace(/\/$/, "")}/savepoint-${job.jid.slice(0, 6)}-${hex32().slice(0, 12)}` }
        : { jid: job.jid, polls: 0, failure: "java.lang.IllegalStateException: No savepoint directory configured. You can either specify a directory while cancelling via -s :targetDirectory or configure a cluster-wide default via key 'state.savepoints.dir'." });
      if ((r[2] === "stop" || b["cancel-job"]) && dir && job.state === "RUNNING") this.end(job, r[2] === "stop" ? "FINISHED" : "CANCELED");
      return { status: 202, body: { "request-id": trigger } };
    }
    if ((r = /^\/jobs\/([0-9a-f]{32})\/savepoints\/([0-9a-f]{32})$/.exec(p)) && method === "GET") {
      const sp = this.savepoints.get(r[2] ?? "");
      if (!sp || sp.jid !== r[1]) return { status: 404, body: { errors: ["Operation not found under key: " + r[2]!] } };
      sp.polls++;
      if (sp.polls < 2) return ok({ status: { id: "IN_PROGRESS" } });
      return ok({ status: { id: "COMPLETED" }, operation: sp.failure ? { "failure-cause": { class: "java.util.concurrent.CompletionException", "stack-trace": sp.failure, "serialized-throwable": "" } } : { location: sp.location } });
    }
    return notFound(url.pathname);
  }

  private end(job: FakeJob, state: FakeJob["state"]): void {
    job.state = state;
    job.endTime = Date.now();
  }

  private details(job: FakeJob): unknown {
    if (job.runtimeMode === "batch" && job.state === "RUNNING" && --job.ticksToFinish <= 0) this.end(job, "FINISHED");
    const now = Date.now();
    const io = (read: number, write: number) => ({
      "read-bytes": read * 64, "read-bytes-complete": true, "write-bytes": write * 64, "write-bytes-complete": true,
      "read-records": read, "read-records-complete": true, "write-records": write, "write-records-complete": true,
    });
    const subtask = (status: string, read: number, write: number) => ({
      subtask: 0, status, attempt: 0, host: "localhost", "start-time": job.startTime, "end-time": job.endTime,
      duration: (job.endTime > 0 ? job.endTime : now) - job.startTime, metrics: io(read, write), "taskmanager-id": "fake-tm", start_time: job.startTime,
    });
    const vstatus = job.state === "RUNNING" ? "RUNNING" : job.state === "CANCELED" ? "CANCELED" : "FINISHED";
    return {
      jid: job.jid, name: job.name, isStoppable: false, state: job.state,
      "start-time": job.startTime, "end-time": job.endTime, duration: (job.endTime > 0 ? job.endTime : now) - job.startTime,
      maxParallelism: -1, now, timestamps: { CREATED: job.startTime, RUNNING: job.startTime },
      vertices: [
        { id: hex32(), name: "Source: TableSourceScan", parallelism: 1, maxParallelism: 128, now, subtasks: [subtask(vstatus, 0, job.readRecords)] },
        { id: hex32(), name: "Sink: TableSinkFunction", parallelism: 1, maxParallelism: 128, now, subtasks: [subtask(vstatus, job.writeRecords, 0)] },
      ],
      "status-counts": { [vstatus]: 2 },
      plan: "{}",
    };
  }

  /** Test hook: what the job's vertices report. */
  setRecords(jid: string, read: number, written: number): void {
    const job = this.jobs.get(jid);
    if (!job) throw new Error(`no fake job ${jid}`);
    job.readRecords = read;
    job.writeRecords = written;
  }

  /** The statements a session executed, split the way the gateway received them. */
  static statementsOf(script: string): string[] {
    return splitStatements(script);
  }
}

function ok(body: unknown): { status: number; body: unknown } {
  return { status: 200, body };
}
function notFound(path: string): { status: number; body: unknown } {
  return { status: 404, body: { errors: [`Not found: ${path}`] } };
}
function missingSession(id: string): { status: number; body: unknown } {
  return { status: 500, body: { errors: ["org.apache.flink.table.gateway.api.utils.SqlGatewayException", `Session '${id}' does not exist.`] } };
}
function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
  res.end(JSON.stringify(body));
}
function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}
