// A client of the Flink SQL Gateway REST API (docs/static/generated/rest_v4_sql_gateway.yml in
// apache/flink): sessions, statements, operation status, results. Versioned paths (/v1../v4); the
// client asks /api_versions and uses the newest version it knows.

export class FlinkHttpError extends Error {
  constructor(readonly status: number, readonly method: string, readonly url: string, readonly errors: string[]) {
    super(`${method} ${url} -> ${status}: ${errors[0] ?? "no error message"}`);
  }
}

export type OperationStatus = "INITIALIZED" | "PENDING" | "RUNNING" | "FINISHED" | "CANCELED" | "CLOSED" | "ERROR" | "TIMEOUT";

export interface FetchResults {
  resultType: "NOT_READY" | "PAYLOAD" | "EOS";
  resultKind?: "SUCCESS" | "SUCCESS_WITH_CONTENT";
  jobID?: string;
  /** The OpenAPI names it `queryResult`; Flink's JSON writes `isQueryResult`. */
  queryResult?: boolean;
  isQueryResult?: boolean;
  nextResultUri?: string;
  results?: {
    columnInfos?: { name: string; logicalType?: unknown; comment?: string | null }[];
    columns?: { name: string; logicalType?: unknown; comment?: string | null }[];
    rowFormat?: "JSON" | "PLAIN_TEXT";
    data?: { kind?: string; fields?: unknown[] }[];
  };
}

/** JSON over HTTP with Flink's error shape ({ errors: [...] }). */
export async function flinkRequest<T>(base: string, method: string, path: string, body?: unknown, fetchImpl: typeof fetch = fetch): Promise<T> {
  const url = `${base.replace(/\/$/, "")}${path}`;
  const res = await fetchImpl(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined; // non-JSON bodies only matter for errors, reported below with the raw text
  }
  if (!res.ok) {
    const errors = (json as { errors?: unknown } | undefined)?.errors;
    throw new FlinkHttpError(res.status, method, url, Array.isArray(errors) ? errors.map(String) : [text.slice(0, 500)]);
  }
  return json as T;
}

const KNOWN_VERSIONS = ["v1", "v2", "v3", "v4"];

export class SqlGatewayClient {
  private version: string | undefined;

  constructor(readonly baseUrl: string, private readonly fetchImpl: typeof fetch = fetch) {}

  private async v(): Promise<string> {
    if (this.version) return this.version;
    const r = await flinkRequest<{ versions?: string[] }>(this.baseUrl, "GET", "/api_versions", undefined, this.fetchImpl);
    const offered = (r.versions ?? []).map((x) => x.toLowerCase());
    const usable = KNOWN_VERSIONS.filter((k) => offered.includes(k));
    // v2 added row formats for results; anything older cannot fetch JSON rows.
    if (!usable.some((u) => u >= "v2")) throw new Error(`the SQL Gateway at ${this.baseUrl} offers ${offered.join(", ") || "no versions"}; Tandem needs v2 or newer (Flink 1.17+)`);
    this.version = usable[usable.length - 1] ?? "v2";
    return this.version;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return flinkRequest<T>(this.baseUrl, method, `/${await this.v()}${path}`, body, this.fetchImpl);
  }

  async openSession(properties: Record<string, string>, sessionName?: string): Promise<string> {
    const r = await this.call<{ sessionHandle: string }>("POST", "/sessions", { properties, sessionName });
    return r.sessionHandle;
  }

  getSessionConfig(session: string): Promise<{ properties: Record<string, string> }> {
    return this.call("GET", `/sessions/${session}`);
  }

  async closeSession(session: string): Promise<void> {
    await this.call("DELETE", `/sessions/${session}`);
  }

  async heartbeat(session: string): Promise<void> {
    await this.call("POST", `/sessions/${session}/heartbeat`);
  }

  async executeStatement(session: string, statement: string, executionConfig?: Record<string, string>): Promise<string> {
    const r = await this.call<{ operationHandle: string }>("POST", `/sessions/${session}/statements`, { statement, ...(executionConfig ? { executionConfig } : {}) });
    return r.operationHandle;
  }

  async operationStatus(session: string, op: string): Promise<OperationStatus> {
    const r = await this.call<{ status: OperationStatus }>("GET", `/sessions/${session}/operations/${op}/status`);
    return r.status;
  }

  fetchResults(session: string, op: string, token: number, rowFormat: "JSON" | "PLAIN_TEXT" = "JSON"): Promise<FetchResults> {
    return this.call("GET", `/sessions/${session}/operations/${op}/result/${token}?rowFormat=${rowFormat}`);
  }

  async cancelOperation(session: string, op: string): Promise<OperationStatus> {
    return (await this.call<{ status: OperationStatus }>("POST", `/sessions/${session}/operations/${op}/cancel`)).status;
  }

  async closeOperation(session: string, op: string): Promise<OperationStatus> {
    return (await this.call<{ status: OperationStatus }>("DELETE", `/sessions/${session}/operations/${op}/close`)).status;
  }
}
