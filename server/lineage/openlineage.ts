import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { Env } from "../env";
import type { Lineage } from "../sql/lineage";

// OpenLineage run events for Tandem's runs (docs/lineage.md#openlineage): a batch instance run sends START
// then COMPLETE or FAIL, a stream job START (on start) and FAIL (when it fails). Datasets are the
// meta-tables, in the namespace `tandem://<project>`; each output carries the `columnLineage` facet
// from the deployed version's column lineage, each input checked by quality rules the
// `dataQualityAssertions` facet. Facet versions are those of the schemas in ./openlineage-spec.
// Sending never fails a run: the transports swallow and report their errors.

export const OPENLINEAGE_SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
/** Who produced the events (a URI, as the spec asks): Tandem and its version. */
export const TANDEM_PRODUCER = "urn:tandem:0.1.0";

const FACET_SCHEMAS = {
  columnLineage: "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet",
  dataQualityAssertions: "https://openlineage.io/spec/facets/1-1-0/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet",
  sql: "https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet",
  jobType: "https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet",
  nominalTime: "https://openlineage.io/spec/facets/1-0-1/NominalTimeRunFacet.json#/$defs/NominalTimeRunFacet",
  errorMessage: "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet",
} as const;

const facet = (name: keyof typeof FACET_SCHEMAS) => ({ _producer: TANDEM_PRODUCER, _schemaURL: FACET_SCHEMAS[name] });

export type RunEventType = "START" | "COMPLETE" | "FAIL" | "ABORT";

/** One quality check's result on a table, as the quality rules report it. */
export interface AssertionResult { assertion: string; success: boolean; column?: string }
export interface TableAssertions { table: string; assertions: AssertionResult[] }

export interface InputField { namespace: string; name: string; field: string; transformations: { type: "DIRECT" | "INDIRECT"; subtype: string }[] }
export interface OpenLineageDataset {
  namespace: string;
  name: string;
  facets?: { columnLineage?: { _producer: string; _schemaURL: string; fields: Record<string, { inputFields: InputField[] }> } };
  inputFacets?: { dataQualityAssertions: { _producer: string; _schemaURL: string; assertions: AssertionResult[] } };
}

export interface RunEvent {
  eventType: RunEventType;
  eventTime: string;
  producer: string;
  schemaURL: string;
  run: { runId: string; facets: Record<string, Record<string, unknown>> };
  job: { namespace: string; name: string; facets: Record<string, Record<string, unknown>> };
  inputs: OpenLineageDataset[];
  outputs: OpenLineageDataset[];
}

export interface RunEventInput {
  eventType: RunEventType;
  project: string;
  job: string;
  version: number;
  side: "batch" | "stream";
  /** The job's SQL as deployed. */
  sql: string;
  lineage: Lineage;
  runId: string;
  /** The batch run's bizdate (yyyy-MM-dd): the nominal time of the run (that day, 00:00 UTC, to the next). */
  bizdate?: string;
  /** FAIL: what went wrong. */
  error?: string;
  /** Quality results per table (set on that table as an input dataset; a checked output is listed as an input too). */
  assertions?: TableAssertions[];
  eventTime?: Date;
}

export const namespaceOf = (project: string): string => `tandem://${project}`;

const TRANSFORMS = { identity: "IDENTITY", expression: "TRANSFORMATION", aggregation: "AGGREGATION" } as const;

/** The columnLineage facet's `fields` for one output table: sink column → the logical columns it is computed from. */
export function columnLineageFields(project: string, lineage: Lineage, table: string): Record<string, { inputFields: InputField[] }> {
  const fields: Record<string, { inputFields: InputField[] }> = {};
  for (const c of lineage.columns) {
    if (c.sink.table !== table) continue;
    const f = (fields[c.sink.column] ??= { inputFields: [] });
    for (const s of c.sources) {
      if (f.inputFields.some((i) => i.name === s.table && i.field === s.column)) continue;
      f.inputFields.push({ namespace: namespaceOf(project), name: s.table, field: s.column, transformations: [{ type: "DIRECT", subtype: TRANSFORMS[c.transform] }] });
    }
  }
  return fields;
}

/** A deterministic run id (UUID, version-5 layout) so START and COMPLETE/FAIL of one run agree. */
export function runIdOf(...parts: (string | number)[]): string {
  const h = crypto.createHash("sha1").update(parts.join("\u0000")).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export function buildRunEvent(input: RunEventInput): RunEvent {
  const ns = namespaceOf(input.project);
  const sinks = [...new Set(input.lineage.tables.map((t) => t.sink))].sort();
  const sources = [...new Set(input.lineage.tables.flatMap((t) => t.sources))].sort();
  const checked = new Map((input.assertions ?? []).filter((a) => a.assertions.length > 0).map((a) => [a.table, a.assertions]));
  const inputs: OpenLineageDataset[] = [...new Set([...sources, ...checked.keys()])].map((name) => {
    const assertions = checked.get(name);
    return { namespace: ns, name, ...(assertions ? { inputFacets: { dataQualityAssertions: { ...facet("dataQualityAssertions"), assertions } } } : {}) };
  });
  const outputs: OpenLineageDataset[] = sinks.map((name) => ({
    namespace: ns, name, facets: { columnLineage: { ...facet("columnLineage"), fields: columnLineageFields(input.project, input.lineage, name) } },
  }));
  const runFacets: RunEvent["run"]["facets"] = {};
  if (input.bizdate) {
    const start = new Date(`${input.bizdate}T00:00:00.000Z`);
    if (Number.isNaN(start.getTime())) throw new Error(`bizdate '${input.bizdate}' is not a yyyy-MM-dd date`);
    runFacets.nominalTime = { ...facet("nominalTime"), nominalStartTime: start.toISOString(), nominalEndTime: new Date(start.getTime() + 86_400_000).toISOString() };
  }
  if (input.eventType === "FAIL") runFacets.errorMessage = { ...facet("errorMessage"), message: input.error ?? "the run failed", programmingLanguage: "SQL" };
  return {
    eventType: input.eventType,
    eventTime: (input.eventTime ?? new Date()).toISOString(),
    producer: TANDEM_PRODUCER,
    schemaURL: OPENLINEAGE_SCHEMA_URL,
    run: { runId: input.runId, facets: runFacets },
    job: {
      namespace: ns, name: input.side === "batch" ? input.job : `${input.job}.stream`,
      facets: {
        sql: { ...facet("sql"), query: input.sql, dialect: "flink" },
        jobType: { ...facet("jobType"), processingType: input.side === "batch" ? "BATCH" : "STREAMING", integration: "TANDEM", jobType: "QUERY" },
      },
    },
    inputs, outputs,
  };
}

/** Where events go. `emit` never rejects; `flush` waits for what was handed over (tests, shutdown). */
export interface OpenLineageSink {
  emit(event: RunEvent): Promise<void>;
  flush(): Promise<void>;
}

type Report = (message: string) => void;
const warn: Report = (m) => process.stderr.write(`openlineage: ${m}\n`);

/** Events go out one after the other, in the order handed over (START before COMPLETE). */
function serialized(send: (e: RunEvent) => Promise<void>, report: Report): OpenLineageSink {
  let tail: Promise<void> = Promise.resolve();
  return {
    emit(event) {
      tail = tail.then(() => send(event)).catch((e: unknown) => { report(e instanceof Error ? e.message : String(e)); });
      return tail;
    },
    flush: () => tail,
  };
}

export interface HttpTransportOptions {
  url: string;
  apiKey?: string;
  timeoutMs?: number;
  /** Attempts after the first. */
  retries?: number;
  /** First backoff; doubled each retry. */
  backoffMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  report?: Report;
}

/** POSTs each event (JSON) to `url`; a timeout, a network error or a 5xx/429 is retried with backoff, then dropped with a report. */
export function httpTransport(o: HttpTransportOptions): OpenLineageSink {
  const doFetch = o.fetch ?? fetch;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const retries = o.retries ?? 3, backoff = o.backoffMs ?? 500, timeout = o.timeoutMs ?? 5_000;
  const send = async (event: RunEvent): Promise<void> => {
    let last = "";
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(backoff * 2 ** (attempt - 1));
      try {
        const res = await doFetch(o.url, {
          method: "POST",
          headers: { "content-type": "application/json", ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}) },
          body: JSON.stringify(event),
          signal: AbortSignal.timeout(timeout),
        });
        if (res.ok) return;
        last = `HTTP ${res.status}`;
        if (res.status < 500 && res.status !== 429) break; // the endpoint refuses this event: retrying will not help
      } catch (e) {
        last = e instanceof Error ? e.message : String(e);
      }
    }
    throw new Error(`${event.eventType} of ${event.job.name} not delivered to ${o.url}: ${last}`);
  };
  return serialized(send, o.report ?? warn);
}

/** Appends each event as one JSON line to `file` (its folder is created). */
export function fileTransport(file: string, report: Report = warn): OpenLineageSink {
  return serialized(async (event) => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.appendFile(file, `${JSON.stringify(event)}\n`);
  }, report);
}

/** Sends every event to both sinks. */
export function bothSinks(a: OpenLineageSink, b: OpenLineageSink): OpenLineageSink {
  return {
    emit: async (e) => { await Promise.all([a.emit(e), b.emit(e)]); },
    flush: async () => { await Promise.all([a.flush(), b.flush()]); },
  };
}

/** The configured sink (TANDEM_OPENLINEAGE_URL and/or TANDEM_OPENLINEAGE_FILE), or none. */
export function openLineageFromEnv(e: Pick<Env, "TANDEM_OPENLINEAGE_URL" | "TANDEM_OPENLINEAGE_FILE" | "TANDEM_OPENLINEAGE_API_KEY" | "TANDEM_OPENLINEAGE_TIMEOUT_MS" | "TANDEM_OPENLINEAGE_RETRIES">): OpenLineageSink | undefined {
  const http = e.TANDEM_OPENLINEAGE_URL
    ? httpTransport({ url: e.TANDEM_OPENLINEAGE_URL, apiKey: e.TANDEM_OPENLINEAGE_API_KEY, timeoutMs: e.TANDEM_OPENLINEAGE_TIMEOUT_MS, retries: e.TANDEM_OPENLINEAGE_RETRIES })
    : undefined;
  const file = e.TANDEM_OPENLINEAGE_FILE ? fileTransport(e.TANDEM_OPENLINEAGE_FILE) : undefined;
  return http && file ? bothSinks(http, file) : http ?? file;
}
