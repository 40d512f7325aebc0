"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { PartitionSpec } from "../../server/catalog/schemas";
import type { ColumnDraft, PhysicalTable } from "../_lib/api-types";
import { issuesOf, messageOf, type Issue } from "../_lib/issues";
import { useDebounced } from "../_lib/use-debounced";
import { useTRPC, useTRPCClient } from "../_lib/trpc/client";
import { FLINK_TYPES } from "./meta-table/model";
import { useToast } from "./toast";
import { Button, Card, Code, cx, Field, FieldErrors, inputBase, inputClass, PageHeader, Tabs } from "./ui";

// Create or edit a physical table. Columns can be drafted from a JSON sample or a Parquet file; the
// user reviews them before saving. Issues come back located (column, watermark, partition) and are
// shown on the field they name.

const PARTITION_FORMATS: PartitionSpec["format"][] = ["yyyy-MM-dd", "yyyyMMdd", "yyyy-MM-dd HH", "yyyyMMddHH"];

interface ColRow { id: number; name: string; type: string; comment: string }
interface ComputedRow { id: number; name: string; expr: string }
interface OptRow { id: number; key: string; value: string }
let seq = 0;
const nextId = () => ++seq;

export function TableForm({ project, existing }: { project: string; existing?: PhysicalTable }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const router = useRouter();
  const toast = useToast();
  const base = `/p/${encodeURIComponent(project)}`;
  const connections = useQuery(trpc.catalog.connections.list.queryOptions({ project }));

  const [name, setName] = useState(existing?.name ?? "");
  const [connection, setConnection] = useState(existing?.connection ?? "");
  const [kind, setKind] = useState<"stream" | "batch">(existing?.kind ?? "stream");
  const [description, setDescription] = useState(existing?.description ?? "");
  const [columns, setColumns] = useState<ColRow[]>(() => existing?.columns.map((c) => ({ id: nextId(), name: c.name, type: c.type, comment: c.comment ?? "" })) ?? [{ id: nextId(), name: "", type: "STRING", comment: "" }]);
  const [computed, setComputed] = useState<ComputedRow[]>(() => existing?.computedColumns.map((c) => ({ id: nextId(), name: c.name, expr: c.expr })) ?? []);
  const [options, setOptions] = useState<OptRow[]>(() => Object.entries(existing?.options ?? {}).map(([key, value]) => ({ id: nextId(), key, value })));
  const [watermarkColumn, setWatermarkColumn] = useState(existing?.watermark?.column ?? "");
  const [watermarkDelay, setWatermarkDelay] = useState(existing?.watermark?.delay ?? "5 SECOND");
  const [partitionColumn, setPartitionColumn] = useState(existing?.partition?.column ?? "");
  const [partitionFormat, setPartitionFormat] = useState<PartitionSpec["format"]>(existing?.partition?.format ?? "yyyy-MM-dd");
  const [primaryKey, setPrimaryKey] = useState<string[]>(existing?.primaryKey ?? []);
  const [sample, setSample] = useState("");
  const [parquetPath, setParquetPath] = useState("");
  const [issues, setIssues] = useState<Issue[]>([]);
  const [error, setError] = useState<string | null>(null);

  const spec = {
    name: name.trim(), connection, kind, description: description.trim(),
    columns: columns.filter((c) => c.name.trim()).map((c) => ({ name: c.name.trim(), type: c.type.trim(), ...(c.comment.trim() ? { comment: c.comment.trim() } : {}) })),
    computedColumns: computed.filter((c) => c.name.trim()).map((c) => ({ name: c.name.trim(), expr: c.expr.trim() })),
    options: Object.fromEntries(options.filter((o) => o.key.trim()).map((o) => [o.key.trim(), o.value])),
    ...(kind === "stream" && watermarkColumn ? { watermark: { column: watermarkColumn, delay: watermarkDelay.trim() } } : {}),
    ...(kind === "batch" && partitionColumn ? { partition: { column: partitionColumn, format: partitionFormat } } : {}),
    ...(primaryKey.length ? { primaryKey } : {}),
  };

  // The DDL as the scripts will declare it (server/sql/previews.ts), for what is typed so far.
  const ddlSpec = useDebounced(JSON.stringify(spec), 200);
  const ddl = useQuery({ ...trpc.catalog.previews.tableDdl.queryOptions({ project, spec: JSON.parse(ddlSpec) as unknown }), placeholderData: (prev) => prev });

  const save = useMutation({
    mutationFn: () => existing ? client.catalog.tables.update.mutate({ project, name: existing.name, spec }) : client.catalog.tables.create.mutate({ project, spec }),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: trpc.catalog.tables.list.queryKey() });
      await queryClient.invalidateQueries({ queryKey: trpc.catalog.tables.get.queryKey({ project, name: saved.spec.name }) });
      toast({ message: `Saved table ${saved.spec.name}` });
      router.push(`${base}/tables/${encodeURIComponent(saved.spec.name)}`);
    },
    onError: (e) => { const found = issuesOf(e); setIssues(found); setError(found.length ? `Not saved: ${found.length === 1 ? "1 problem" : `${found.length} problems`} to fix.` : messageOf(e)); },
  });

  const applyInferred = (cols: ColumnDraft[]) => {
    setColumns(cols.map((c) => ({ id: nextId(), name: c.name, type: c.type, comment: c.comment ?? "" })));
    setIssues([]);
    setError(null);
    toast({ message: `Inferred ${cols.length} columns; review them before saving.` });
  };
  const inferJson = useMutation(trpc.catalog.tables.inferFromJson.mutationOptions({ onSuccess: applyInferred, onError: (e) => setIssues(issuesOf(e).length ? issuesOf(e) : [{ path: "sample", message: messageOf(e) }]) }));
  const inferParquet = useMutation(trpc.catalog.tables.inferFromParquet.mutationOptions({ onSuccess: applyInferred, onError: (e) => setIssues(issuesOf(e).length ? issuesOf(e) : [{ path: "path", message: messageOf(e) }]) }));

  // Issue paths: "physicalTable.columns.0.type" (shape) or "physicalTables.<name>.columns.<col>.type" (rules).
  const rest = (i: Issue) => {
    const segs = i.path.split(".");
    return segs[0] === "physicalTable" ? segs.slice(1) : segs[0] === "physicalTables" ? segs.slice(2) : segs;
  };
  const at = (...prefix: string[]) => issues.filter((i) => prefix.every((p, k) => rest(i)[k] === p)).map((i) => i.message);
  const columnErrors = (c: ColRow, index: number) => issues.filter((i) => {
    const r = rest(i);
    return r[0] === "columns" && (r[1] === c.name.trim() || r[1] === String(index));
  }).map((i) => i.message);
  const shown = new Set([
    ...at("name"), ...at("connection"), ...at("kind"), ...at("description"), ...at("watermark"), ...at("partition"), ...at("primaryKey"),
    ...at("sample"), ...at("path"), ...columns.flatMap((c, i) => columnErrors(c, i)),
  ]);
  const general = issues.map((i) => i.message).filter((m) => !shown.has(m));
  const allColumnNames = [...columns.map((c) => c.name.trim()), ...computed.map((c) => c.name.trim())].filter(Boolean);

  return (
    <form onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
      <PageHeader
        title={existing ? `Edit ${existing.name}` : "New table"}
        description="A physical table, described the way Flink describes it."
        actions={
          <>
            <Button onClick={() => router.back()}>Cancel</Button>
            <Button type="submit" variant="primary" disabled={save.isPending}>{save.isPending ? "Saving…" : existing ? "Save table" : "Create table"}</Button>
          </>
        }
      />
      {error ? <div role="alert" className="mb-4 rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800">{error}<FieldErrors messages={general} /></div> : null}
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="space-y-4">
          <Card title="Table">
            <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
              <Field label="Table name" error={at("name")} hint={existing ? "Renaming is not supported" : undefined}>
                {(id) => <input id={id} value={name} readOnly={!!existing} onChange={(e) => setName(e.target.value)} className={cx(inputClass, "font-mono", existing && "bg-slate-50")} />}
              </Field>
              <Field label="Connection" error={at("connection")}>
                {(id) => (
                  <select id={id} value={connection} onChange={(e) => setConnection(e.target.value)} className={inputClass}>
                    <option value="">{connections.isPending ? "Loading…" : "Choose a connection…"}</option>
                    {connections.data?.map((c) => <option key={c.id} value={c.name}>{c.name} ({c.type})</option>)}
                  </select>
                )}
              </Field>
              <div>
                <span className="mb-1 block text-xs font-medium text-slate-600">Kind</span>
                <Tabs label="Kind" value={kind} onChange={setKind} options={[{ value: "stream", label: "Stream" }, { value: "batch", label: "Batch" }]} />
                <FieldErrors messages={at("kind")} />
              </div>
              <Field label="Table description" error={at("description")}>
                {(id) => <input id={id} value={description} onChange={(e) => setDescription(e.target.value)} className={inputClass} />}
              </Field>
            </div>
          </Card>

          <Card title="Columns" actions={<Button size="sm" onClick={() => setColumns((cs) => [...cs, { id: nextId(), name: "", type: "STRING", comment: "" }])}>+ Add column</Button>}>
            <datalist id="table-flink-types">{FLINK_TYPES.map((t) => <option key={t} value={t} />)}</datalist>
            <div className="space-y-1.5">
              {columns.map((c, i) => (
                <div key={c.id}>
                  <div className="flex items-center gap-2">
                    <span className="w-5 text-right text-xs text-slate-400 tabular-nums">{i + 1}</span>
                    <input aria-label={`Column ${i + 1} name`} value={c.name} placeholder="column_name" className={cx(inputBase, "w-0 min-w-0 flex-[1.2] font-mono text-[13px]")}
                      onChange={(e) => setColumns((cs) => cs.map((x) => (x.id === c.id ? { ...x, name: e.target.value } : x)))} />
                    <input aria-label={`Column ${i + 1} type`} value={c.type} list="table-flink-types" className={cx(inputBase, "w-0 min-w-0 flex-1 font-mono text-[13px]")}
                      onChange={(e) => setColumns((cs) => cs.map((x) => (x.id === c.id ? { ...x, type: e.target.value } : x)))} />
                    <input aria-label={`Column ${i + 1} comment`} value={c.comment} placeholder="comment" className={cx(inputBase, "w-0 min-w-0 flex-[1.4]")}
                      onChange={(e) => setColumns((cs) => cs.map((x) => (x.id === c.id ? { ...x, comment: e.target.value } : x)))} />
                    <label className="flex items-center gap-1 text-xs text-slate-500" title="Part of the primary key">
                      <input type="checkbox" checked={primaryKey.includes(c.name.trim()) && c.name.trim() !== ""} disabled={!c.name.trim()}
                        onChange={(e) => setPrimaryKey((pk) => e.target.checked ? [...pk, c.name.trim()] : pk.filter((k) => k !== c.name.trim()))} />
                      PK
                    </label>
                    <Button variant="ghost" size="sm" aria-label={`Remove column ${i + 1}`} onClick={() => setColumns((cs) => cs.length > 1 ? cs.filter((x) => x.id !== c.id) : cs)}>×</Button>
                  </div>
                  <div className="pl-7"><FieldErrors messages={columnErrors(c, i)} /></div>
                </div>
              ))}
            </div>
            <FieldErrors messages={at("primaryKey")} />
            <div className="mt-4 border-t border-slate-100 pt-3">
              <div className="mb-1.5 flex items-center justify-between">
                <p className="text-xs font-medium text-slate-600">Computed columns <span className="font-normal text-slate-400">(e.g. event_time AS TO_TIMESTAMP_LTZ(ts_ms, 3))</span></p>
                <Button size="sm" onClick={() => setComputed((cs) => [...cs, { id: nextId(), name: "", expr: "" }])}>+ Add computed column</Button>
              </div>
              {computed.map((c, i) => (
                <div key={c.id} className="mb-1.5 flex items-center gap-2">
                  <input aria-label={`Computed column ${i + 1} name`} value={c.name} placeholder="name" className={cx(inputBase, "w-48 font-mono text-[13px]")}
                    onChange={(e) => setComputed((cs) => cs.map((x) => (x.id === c.id ? { ...x, name: e.target.value } : x)))} />
                  <span className="text-xs text-slate-400">AS</span>
                  <input aria-label={`Computed column ${i + 1} expression`} value={c.expr} placeholder="expression" className={cx(inputBase, "w-0 min-w-0 flex-1 font-mono text-[13px]")}
                    onChange={(e) => setComputed((cs) => cs.map((x) => (x.id === c.id ? { ...x, expr: e.target.value } : x)))} />
                  <Button variant="ghost" size="sm" aria-label={`Remove computed column ${i + 1}`} onClick={() => setComputed((cs) => cs.filter((x) => x.id !== c.id))}>×</Button>
                </div>
              ))}
            </div>
          </Card>

          <Card title={kind === "stream" ? "Event time" : "Partition"}>
            {kind === "stream" ? (
              <div className="grid grid-cols-2 gap-4">
                <Field label="Watermark column" error={at("watermark")} hint="A TIMESTAMP(3) or TIMESTAMP_LTZ(3) column; leave empty for processing time.">
                  {(id) => (
                    <select id={id} value={watermarkColumn} onChange={(e) => setWatermarkColumn(e.target.value)} className={cx(inputClass, "font-mono text-[13px]")}>
                      <option value="">no watermark</option>
                      {allColumnNames.map((n) => <option key={n} value={n}>{n}</option>)}
                    </select>
                  )}
                </Field>
                <Field label="Allowed lateness" hint="e.g. 5 SECOND, 1 MINUTE">
                  {(id) => <input id={id} value={watermarkDelay} disabled={!watermarkColumn} onChange={(e) => setWatermarkDelay(e.target.value)} className={cx(inputClass, "font-mono text-[13px]")} />}
                </Field>
              </div>
            ) : (
              <div className="grid grid-cols-2 gap-4">
                <Field label="Partition column" error={at("partition")} hint="Daily batch runs read one partition; meta-tables need it on their batch side.">
                  {(id) => (
                    <select id={id} value={partitionColumn} onChange={(e) => setPartitionColumn(e.target.value)} className={cx(inputClass, "font-mono text-[13px]")}>
                      <option value="">not partitioned</option>
                      {columns.map((c) => c.name.trim()).filter(Boolean).map((n) => <option key={n} value={n}>{n}</option>)}
                    </select>
                  )}
                </Field>
                <Field label="Partition format">
                  {(id) => (
                    <select id={id} value={partitionFormat} disabled={!partitionColumn} onChange={(e) => setPartitionFormat(e.target.value as PartitionSpec["format"])} className={inputClass}>
                      {PARTITION_FORMATS.map((f) => <option key={f} value={f}>{f}</option>)}
                    </select>
                  )}
                </Field>
              </div>
            )}
          </Card>

          <Card title="Options" actions={<Button size="sm" onClick={() => setOptions((os) => [...os, { id: nextId(), key: "", value: "" }])}>+ Add option</Button>}>
            {options.length === 0 ? <p className="text-xs text-slate-500">No table options. The connection&apos;s properties are added to the WITH clause anyway.</p> : null}
            {options.map((o, i) => (
              <div key={o.id} className="mb-1.5 flex items-center gap-2">
                <input aria-label={`Option ${i + 1} key`} value={o.key} placeholder="format" className={cx(inputBase, "w-60 font-mono text-[13px]")}
                  onChange={(e) => setOptions((os) => os.map((x) => (x.id === o.id ? { ...x, key: e.target.value } : x)))} />
                <span className="text-xs text-slate-400">=</span>
                <input aria-label={`Option ${i + 1} value`} value={o.value} placeholder="json" className={cx(inputBase, "w-0 min-w-0 flex-1 font-mono text-[13px]")}
                  onChange={(e) => setOptions((os) => os.map((x) => (x.id === o.id ? { ...x, value: e.target.value } : x)))} />
                <Button variant="ghost" size="sm" aria-label={`Remove option ${i + 1}`} onClick={() => setOptions((os) => os.filter((x) => x.id !== o.id))}>×</Button>
              </div>
            ))}
          </Card>
        </div>

        <div className="space-y-4">
          <Card title="Infer columns">
            <Field label="JSON sample" error={at("sample")} hint="One message, or JSON lines; later lines widen types.">
              {(id) => <textarea id={id} value={sample} onChange={(e) => setSample(e.target.value)} rows={5} placeholder='{"event_id": "e1", "user_id": 42, "ts": "2024-11-11T00:00:01Z"}' className={cx(inputClass, "font-mono text-xs")} />}
            </Field>
            <Button size="sm" className="mt-2" disabled={!sample.trim() || inferJson.isPending} onClick={() => inferJson.mutate({ project, sample })}>{inferJson.isPending ? "Inferring…" : "Infer from JSON"}</Button>
            <div className="mt-4 border-t border-slate-100 pt-3">
              <Field label="Parquet path" error={at("path")} hint="A file or glob in the data folder (.tandem/...) or under a filesystem connection's path; hive folders (dt=...) become columns.">
                {(id) => <input id={id} value={parquetPath} onChange={(e) => setParquetPath(e.target.value)} placeholder=".tandem/demo/warehouse/ods_coupon_events_di/**/*.parquet" className={cx(inputClass, "font-mono text-xs")} />}
              </Field>
              <Button size="sm" className="mt-2" disabled={!parquetPath.trim() || inferParquet.isPending} onClick={() => inferParquet.mutate({ project, path: parquetPath.trim() })}>{inferParquet.isPending ? "Reading…" : "Infer from Parquet"}</Button>
            </div>
          </Card>
          <Card title="Flink DDL preview">
            {ddl.data?.ddl ? <Code label="DDL preview">{ddl.data.ddl}</Code> : (
              <p aria-label="DDL preview" className="text-sm text-slate-500">
                {ddl.data?.issues[0] ? `The DDL appears once the table is complete (${ddl.data.issues[0].path ? `${ddl.data.issues[0].path}: ` : ""}${ddl.data.issues[0].message}).` : "…"}
              </p>
            )}
          </Card>
        </div>
      </div>
    </form>
  );
}
