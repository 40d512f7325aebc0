"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { use, useEffect, useMemo, useState, type ReactNode } from "react";
import { SqlEditor } from "../../../../_components/sql-editor";
import { PreviewPanel } from "../../../../_components/studio/preview-panel";
import { Badge, Button, Card, ConfirmDialog, ErrorState, inputBase, inputClass, monoInputBase, monoInputClass, PageHeader, SkeletonRows, Tabs } from "../../../../_components/ui";
import { useToast } from "../../../../_components/toast";
import { issuesOf, messageOf } from "../../../../_lib/issues";
import { useTRPC } from "../../../../_lib/trpc/client";
import type { RouterOutputs } from "../../../../_lib/api-types";
import type { MetricTask } from "../../../../../server/metrics/spec";

// The metric builder: a form for a metric task (source, calculation elements, process components, dimension
// sets, metrics, result components), the generated SQL of each job live in a read-only editor, a preview of
// a job's rows on one partition (the studio's preview), and save, which creates or updates the jobs.

type Spec = MetricTask;
type Element = NonNullable<Spec["elements"]>[number];
type Process = NonNullable<Spec["process"]>[number];
type Metric = Spec["metrics"][number];
type Result = Spec["results"][number];
type Generation = RouterOutputs["metrics"]["generate"];

const PERIODS: { value: Result["period"]; label: string }[] = [
  { value: "day", label: "Day" }, { value: "hour", label: "Hour" }, { value: "15min", label: "15 minutes" }, { value: "5min", label: "5 minutes" }, { value: "campaign", label: "Campaign to date" },
];
const AGGS: { value: Metric["agg"]; label: string }[] = [{ value: "count", label: "COUNT(1)" }, { value: "sum", label: "SUM(expr)" }, { value: "countDistinct", label: "COUNT(DISTINCT expr)" }];

function yesterday(): string {
  return new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
}

const EMPTY: Spec = { name: "", source: "", elements: [], process: [], dimensionSets: [{ name: "by_key", dimensions: [] }], metrics: [{ name: "pv", agg: "count" }], results: [], combine: "merge", uv: "merge" };

export default function MetricBuilderPage({ params }: { params: Promise<{ project: string; name: string }> }) {
  const { project: rawProject, name: rawName } = use(params);
  const project = decodeURIComponent(rawProject);
  const name = decodeURIComponent(rawName);
  const isNew = name === "new";
  const trpc = useTRPC();
  const saved = useQuery({ ...trpc.metrics.get.queryOptions({ project, name }), enabled: !isNew });
  if (!isNew && saved.isPending) return <SkeletonRows rows={6} />;
  if (!isNew && saved.isError) return <ErrorState error={saved.error} onRetry={() => void saved.refetch()} />;
  return <Builder key={name} project={project} initial={isNew ? EMPTY : (saved.data?.spec as Spec | undefined) ?? EMPTY} isNew={isNew} />;
}

function Builder({ project, initial, isNew }: { project: string; initial: Spec; isNew: boolean }) {
  const base = `/p/${encodeURIComponent(project)}`;
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [spec, setSpec] = useState<Spec>(initial);
  const metas = useQuery(trpc.catalog.metaTables.list.queryOptions({ project, pageSize: 500 }));
  const sourceTable = useQuery({ ...trpc.catalog.metaTables.get.queryOptions({ project, name: spec.source }), enabled: spec.source !== "" });
  const [generation, setGeneration] = useState<Generation | null>(null);
  const generate = useMutation(trpc.metrics.generate.mutationOptions({ onSuccess: setGeneration }));
  const save = useMutation(trpc.metrics.save.mutationOptions({
    onSuccess: async (r) => {
      await queryClient.invalidateQueries({ queryKey: trpc.metrics.list.queryKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.metrics.get.queryKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.jobs.pathKey() }); // every jobs query, in the background (some ask the orchestrator)
      toast({ tone: "success", message: `Saved ${r.name}: ${[...r.created.map((j) => `created ${j}`), ...r.updated.map((j) => `updated ${j}`)].join(", ")}${r.removed.length ? `; removed drafts no longer generated: ${r.removed.join(", ")}` : ""}${r.stale.length ? `; no longer generated but deployed once (kept: undeploy and delete them as jobs): ${r.stale.join(", ")}` : ""}` });
      if (isNew) router.replace(`${base}/metrics/${encodeURIComponent(r.name)}`);
    },
    onError: (e) => toast({ tone: "error", message: issuesOf(e).map((i) => `${i.path}: ${i.message}`).join("; ") || messageOf(e) }),
  }));

  // Going online and offline as one: every job the saved task generated, in one transaction on the server.
  const [asking, setAsking] = useState<"deploy" | "undeploy" | null>(null);
  const refreshJobs = () => void queryClient.invalidateQueries({ queryKey: trpc.jobs.pathKey() });
  const deploy = useMutation(trpc.metrics.deploy.mutationOptions({
    onSuccess: (r) => {
      setAsking(null);
      refreshJobs();
      toast({ tone: "success", message: `Deployed ${r.deployments.map((d) => `${d.job} v${d.version}`).join(", ")}${r.scheduled ? "" : " (recorded; no scheduler is configured)"}` });
    },
    onError: (e) => { setAsking(null); toast({ tone: "error", message: issuesOf(e).map((i) => `${i.path}: ${i.message}`).join("; ") || messageOf(e) }); },
  }));
  const undeploy = useMutation(trpc.metrics.undeploy.mutationOptions({
    onSuccess: (r) => {
      setAsking(null);
      refreshJobs();
      toast({ tone: "success", message: `Undeployed ${r.undeployed.map((d) => `${d.job} (was v${d.version})`).join(", ")}; deploy the task again to bring them back` });
    },
    onError: (e) => { setAsking(null); toast({ tone: "error", message: messageOf(e) }); },
  }));
  const savedTask = useQuery({ ...trpc.metrics.get.queryOptions({ project, name: initial.name }), enabled: !isNew });
  const savedJobs = savedTask.data?.jobs ?? [];

  // Live generation, a moment after the last change.
  const specKey = JSON.stringify(spec);
  const mutateGenerate = generate.mutate;
  useEffect(() => {
    if (!spec.name || !spec.source) return;
    const t = setTimeout(() => mutateGenerate({ project, spec }), 350);
    return () => clearTimeout(t);
    // specKey stands for spec's content.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [specKey, project, mutateGenerate]);

  const issues = useMemo(() => (spec.name && spec.source && generation ? generation.issues : []), [generation, spec.name, spec.source]);
  const issuesAt = (prefix: string) => issues.filter((i) => i.path === prefix || i.path.startsWith(`${prefix}.`)).map((i) => i.message);
  const jobs = generation?.ok ? generation.jobs : [];
  const selectedJob = jobs.find((j) => j.name === search.get("job")) ?? jobs[0];
  const view = search.get("view") === "preview" ? "preview" : "sql";
  const setQuery = (k: string, v: string) => {
    const q = new URLSearchParams(search.toString());
    q.set(k, v);
    router.replace(`${pathname}?${q.toString()}`, { scroll: false });
  };

  const metaNames = metas.data?.rows.map((m) => m.name) ?? [];
  const columns = sourceTable.data?.spec.columns.map((c) => c.name) ?? [];
  const set = <K extends keyof Spec>(k: K, v: Spec[K]) => setSpec((s) => ({ ...s, [k]: v }));
  const update = <T,>(list: T[], i: number, patch: Partial<T>): T[] => list.map((x, k) => (k === i ? { ...x, ...patch } : x));
  const elements = spec.elements ?? [];
  const processes = spec.process ?? [];
  const filterElements = elements.filter((e) => e.kind === "filter").map((e) => e.name);
  const [copyPeriod, setCopyPeriod] = useState<Result["period"]>("hour");
  const [copyTable, setCopyTable] = useState("");

  return (
    <>
      <PageHeader
        title={isNew ? "New metric task" : spec.name}
        description={<>Configure the metrics; the builder writes the Flink SQL, checked from every result table backwards. <Link className="text-indigo-700 hover:underline" href={`${base}/metrics`}>All metric tasks</Link></>}
        actions={<>
          {!isNew && savedJobs.length > 0 ? <>
            <Button disabled={undeploy.isPending} onClick={() => setAsking("undeploy")}>Undeploy task</Button>
            <Button disabled={deploy.isPending} onClick={() => setAsking("deploy")}>Deploy task</Button>
          </> : null}
          <Button variant="primary" disabled={save.isPending || !generation?.ok} onClick={() => save.mutate({ project, spec })}>{save.isPending ? "Saving…" : "Save as job"}</Button>
        </>}
      />
      <ConfirmDialog open={asking === "deploy"} tone="primary" title={`Deploy ${spec.name}?`} confirmLabel={deploy.isPending ? "Deploying…" : `Deploy ${savedJobs.length} job${savedJobs.length === 1 ? "" : "s"}`} busy={deploy.isPending}
        onCancel={() => setAsking(null)} onConfirm={() => deploy.mutate({ project, name: spec.name })}>
        Its saved jobs go online together ({savedJobs.join(", ")}): each gets a new version, or none does if one is refused. Save first to deploy unsaved changes.
      </ConfirmDialog>
      <ConfirmDialog open={asking === "undeploy"} title={`Undeploy ${spec.name}?`} confirmLabel={undeploy.isPending ? "Undeploying…" : "Undeploy"} busy={undeploy.isPending}
        onCancel={() => setAsking(null)} onConfirm={() => undeploy.mutate({ project, name: spec.name })}>
        Every deployed job of the task ({savedJobs.join(", ")}) leaves its schedule and its stream side stops with a savepoint. Their versions stay: deploying the task again brings them back.
      </ConfirmDialog>
      <div className="grid gap-4 2xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="min-w-0 space-y-4">
          <Card title="Task">
            <div className="grid gap-3 sm:grid-cols-2">
              <Labeled label="Task name" errors={issuesAt("name")}>
                {(id) => <input id={id} className={monoInputClass} value={spec.name} disabled={!isNew} onChange={(e) => set("name", e.target.value)} placeholder="coupon_daily_metrics" />}
              </Labeled>
              <Labeled label="Source" errors={issuesAt("source")}>
                {(id) => (
                  <select id={id} className={inputClass} value={spec.source} onChange={(e) => set("source", e.target.value)}>
                    <option value="">Choose a meta-table…</option>
                    {metaNames.map((m) => <option key={m} value={m}>{m}</option>)}
                  </select>
                )}
              </Labeled>
              <Labeled label="Description" className="sm:col-span-2">
                {(id) => <input id={id} className={inputClass} value={spec.description ?? ""} onChange={(e) => set("description", e.target.value)} />}
              </Labeled>
              {columns.length > 0 ? <p className="text-xs text-slate-500 sm:col-span-2">Columns: <span className="font-mono">{columns.join(", ")}</span></p> : null}
            </div>
          </Card>

          <Card title="Calculation elements" actions={<Button size="sm" onClick={() => set("elements", [...elements, { name: `e${elements.length + 1}`, kind: "filter", expr: "" }])}>Add element</Button>}>
            {elements.length === 0 ? <p className="text-sm text-slate-500">Named expressions or filters on the source, e.g. <code className="font-mono text-xs">is_redeem := action = &apos;redeem&apos;</code>.</p> : null}
            <div className="space-y-2">
              {elements.map((el, i) => (
                <Row key={i} onRemove={() => set("elements", elements.filter((_, k) => k !== i))} label={`element ${i + 1}`} errors={issuesAt(`elements.${el.name}`)}>
                  <input aria-label={`Element ${i + 1} name`} className={`${monoInputBase} w-36`} value={el.name} onChange={(e) => set("elements", update<Element>(elements, i, { name: e.target.value }))} />
                  <select aria-label={`Element ${i + 1} kind`} className={`${inputBase} w-32`} value={el.kind} onChange={(e) => set("elements", update<Element>(elements, i, { kind: e.target.value as Element["kind"] }))}>
                    <option value="filter">filter</option><option value="expression">expression</option>
                  </select>
                  <input aria-label={`Element ${i + 1} expression`} className={`${monoInputBase} min-w-0 flex-1`} value={el.expr} onChange={(e) => set("elements", update<Element>(elements, i, { expr: e.target.value }))} placeholder="action = 'redeem'" />
                </Row>
              ))}
            </div>
          </Card>

          <Card title="Process components" actions={
            <select aria-label="Add process component" className={`${inputBase} w-48`} value="" onChange={(e) => {
              const t = e.target.value;
              const c: Process | undefined = t === "dimensionJoin" ? { type: "dimensionJoin", table: "", on: [{ source: "", dimension: "" }], columns: [] }
                : t === "filter" ? { type: "filter", condition: "" } : t === "dedup" ? { type: "dedup", keys: [], keep: "first" } : t === "explode" ? { type: "explode", column: "", as: "item" } : undefined;
              if (c) set("process", [...processes, c]);
            }}>
              <option value="">Add a component…</option>
              <option value="dimensionJoin">Dimension join</option><option value="filter">Filter</option><option value="dedup">Dedup</option><option value="explode">Explode</option>
            </select>
          }>
            {processes.length === 0 ? <p className="text-sm text-slate-500">Applied in order before the metrics: join a dimension, filter, deduplicate.</p> : null}
            <div className="space-y-2">
              {processes.map((p, i) => (
                <Row key={i} onRemove={() => set("process", processes.filter((_, k) => k !== i))} label={`process component ${i + 1}`} errors={issuesAt(`process.${i}`)}>
                  <Badge tone="violet">{p.type === "dimensionJoin" ? "join" : p.type}</Badge>
                  <ProcessFields p={p} i={i} metaNames={metaNames} onChange={(np) => set("process", processes.map((x, k) => (k === i ? np : x)))} />
                </Row>
              ))}
            </div>
          </Card>

          <Card title="Dimension sets" actions={<Button size="sm" onClick={() => set("dimensionSets", [...spec.dimensionSets, { name: `set${spec.dimensionSets.length + 1}`, dimensions: [] }])}>Add dimension set</Button>}>
            <div className="space-y-2">
              {spec.dimensionSets.map((d, i) => (
                <Row key={i} onRemove={() => set("dimensionSets", spec.dimensionSets.filter((_, k) => k !== i))} label={`dimension set ${i + 1}`} errors={issuesAt(`dimensionSets.${d.name}`)}>
                  <input aria-label={`Dimension set ${i + 1} name`} className={`${monoInputBase} w-36`} value={d.name} onChange={(e) => set("dimensionSets", update(spec.dimensionSets, i, { name: e.target.value }))} />
                  <input aria-label={`Dimension set ${i + 1} dimensions`} className={`${monoInputBase} min-w-0 flex-1`} value={d.dimensions.join(", ")} placeholder="coupon_id, campaign"
                    onChange={(e) => set("dimensionSets", update(spec.dimensionSets, i, { dimensions: e.target.value.split(",").map((x) => x.trim()).filter(Boolean) }))} />
                </Row>
              ))}
            </div>
          </Card>

          <Card title="Metrics" actions={<Button size="sm" onClick={() => set("metrics", [...spec.metrics, { name: `m${spec.metrics.length + 1}`, agg: "count" }])}>Add metric</Button>}>
            <div className="overflow-x-auto">
              <table className="w-full text-sm" aria-label="Metrics">
                <thead className="text-left text-xs font-medium text-slate-500">
                  <tr><th className="py-1 pr-2">Name (result column)</th><th className="py-1 pr-2">Aggregation</th><th className="py-1 pr-2">Expression</th><th className="py-1 pr-2">Filter element</th><th /></tr>
                </thead>
                <tbody>
                  {spec.metrics.map((m, i) => {
                    const errs = issuesAt(`metrics.${m.name}`);
                    return (
                      <tr key={i} className="align-top">
                        <td className="py-1 pr-2"><input aria-label={`Metric ${i + 1} name`} className={`${monoInputBase} w-32`} value={m.name} onChange={(e) => set("metrics", update(spec.metrics, i, { name: e.target.value }))} /></td>
                        <td className="py-1 pr-2">
                          <select aria-label={`Metric ${i + 1} aggregation`} className={`${inputBase} w-56`} value={m.agg} onChange={(e) => set("metrics", update(spec.metrics, i, { agg: e.target.value as Metric["agg"] }))}>
                            {AGGS.map((a) => <option key={a.value} value={a.value}>{a.label}</option>)}
                          </select>
                        </td>
                        <td className="py-1 pr-2">
                          <input aria-label={`Metric ${i + 1} expression`} aria-invalid={errs.length > 0} disabled={m.agg === "count"} className={`${monoInputBase} min-w-32`} value={m.expr ?? ""} placeholder={m.agg === "count" ? "1" : "user_id"}
                            onChange={(e) => set("metrics", update(spec.metrics, i, { expr: e.target.value || undefined }))} />
                          {errs.map((msg) => <p key={msg} role="alert" className="mt-1 max-w-xs text-xs text-rose-700">{msg}</p>)}
                        </td>
                        <td className="py-1 pr-2">
                          <select aria-label={`Metric ${i + 1} filter`} className={`${inputBase} w-36`} value={m.filter ?? ""} onChange={(e) => set("metrics", update(spec.metrics, i, { filter: e.target.value || undefined }))}>
                            <option value="">(none)</option>
                            {filterElements.map((f) => <option key={f} value={f}>{f}</option>)}
                          </select>
                        </td>
                        <td className="py-1"><Button size="sm" variant="ghost" aria-label={`Remove metric ${i + 1}`} onClick={() => set("metrics", spec.metrics.filter((_, k) => k !== i))}>Remove</Button></td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </Card>

          <Card title="Result components" actions={<Button size="sm" onClick={() => set("results", [...spec.results, { period: "day", dimensionSet: spec.dimensionSets[0]?.name ?? "", table: "" }])}>Add result</Button>}>
            <p className="mb-2 text-xs text-slate-500">Each writes the metrics whose names are columns of its result meta-table, for one period and one dimension set.</p>
            <div className="space-y-2">
              {spec.results.map((r, i) => (
                <Row key={i} onRemove={() => set("results", spec.results.filter((_, k) => k !== i))} label={`result ${i + 1}`} errors={issuesAt(`results.${i}`)}>
                  <select aria-label={`Result ${i + 1} period`} className={`${inputBase} w-48`} value={r.period} onChange={(e) => set("results", update(spec.results, i, { period: e.target.value as Result["period"] }))}>
                    {PERIODS.map((p) => <option key={p.value} value={p.value}>{p.label}</option>)}
                  </select>
                  <select aria-label={`Result ${i + 1} dimension set`} className={`${inputBase} w-36`} value={r.dimensionSet} onChange={(e) => set("results", update(spec.results, i, { dimensionSet: e.target.value }))}>
                    {spec.dimensionSets.map((d) => <option key={d.name} value={d.name}>{d.name}</option>)}
                  </select>
                  <select aria-label={`Result ${i + 1} table`} className={`${inputBase} min-w-0 flex-1`} value={r.table} onChange={(e) => set("results", update(spec.results, i, { table: e.target.value }))}>
                    <option value="">Result meta-table…</option>
                    {metaNames.map((m) => <option key={m} value={m}>{m}</option>)}
                  </select>
                  {r.period === "campaign" && spec.uv === "split" ? (
                    <select aria-label={`Result ${i + 1} UV table`} className={`${inputBase} w-44`} value={r.uvTable ?? ""} onChange={(e) => set("results", update(spec.results, i, { uvTable: e.target.value || undefined }))}>
                      <option value="">UV table…</option>
                      {metaNames.map((m) => <option key={m} value={m}>{m}</option>)}
                    </select>
                  ) : null}
                </Row>
              ))}
            </div>
            {spec.results.length > 0 ? (
              <div className="mt-3 flex flex-wrap items-center gap-2 border-t border-slate-100 pt-3 text-sm">
                <span className="text-slate-600">Batch copy the first result to</span>
                <select aria-label="Copy to period" className={`${inputBase} w-40`} value={copyPeriod} onChange={(e) => setCopyPeriod(e.target.value as Result["period"])}>
                  {PERIODS.map((p) => <option key={p.value} value={p.value}>{p.label}</option>)}
                </select>
                <select aria-label="Copy to table" className={`${inputBase} w-52`} value={copyTable} onChange={(e) => setCopyTable(e.target.value)}>
                  <option value="">Result meta-table…</option>
                  {metaNames.map((m) => <option key={m} value={m}>{m}</option>)}
                </select>
                <Button size="sm" disabled={!copyTable} onClick={() => { const first = spec.results[0]; if (first) set("results", [...spec.results, { ...first, period: copyPeriod, table: copyTable, uvTable: undefined }]); }}>Copy metrics</Button>
              </div>
            ) : null}
          </Card>

          <Card title="Jobs">
            <div className="flex flex-wrap items-end gap-4">
              <div>
                <p className="mb-1 text-xs font-medium text-slate-600">Period x dimension combinations</p>
                <Tabs label="Combine" value={spec.combine ?? "merge"} onChange={(v) => set("combine", v)} options={[{ value: "merge", label: "Merge into one job" }, { value: "split", label: "A job each" }]} />
              </div>
              <div>
                <p className="mb-1 text-xs font-medium text-slate-600">Campaign-to-date distinct counts</p>
                <Tabs label="UV" value={spec.uv ?? "merge"} onChange={(v) => set("uv", v)} options={[{ value: "merge", label: "Merged" }, { value: "split", label: "Own sub-task" }]} />
              </div>
              <Labeled label="Campaign start" errors={issuesAt("campaignStart")}>
                {(id) => <input id={id} type="date" className={`${inputBase} w-44`} value={spec.campaignStart ?? ""} onChange={(e) => set("campaignStart", e.target.value || undefined)} />}
              </Labeled>
            </div>
          </Card>
        </div>

        <div className="min-w-0 space-y-4 2xl:sticky 2xl:top-4 2xl:self-start">
          <Card title="Generated jobs" actions={generate.isPending ? <span role="status" className="text-xs text-slate-500">Generating…</span> : null}>
            {!spec.name || !spec.source ? <p className="text-sm text-slate-500">Name the task and choose its source to see the jobs it generates.</p>
              : generate.isError ? <ErrorState error={generate.error} />
              : issues.length > 0 ? (
                <ul aria-label="Problems" className="space-y-1 text-sm">
                  {issues.map((i, k) => <li key={k} className="text-rose-700"><span className="font-mono text-xs text-rose-900">{i.path}</span>: {i.message}</li>)}
                </ul>
              ) : jobs.length === 0 ? <p className="text-sm text-slate-500">…</p> : (
                <ul aria-label="Generated jobs" className="space-y-1 text-sm">
                  {jobs.map((j) => (
                    <li key={j.name} className="flex flex-wrap items-center gap-2">
                      <button type="button" onClick={() => setQuery("job", j.name)} className={`font-mono text-xs hover:underline ${j.name === selectedJob?.name ? "font-semibold text-indigo-700" : "text-slate-700"}`}>{j.name}</button>
                      <Badge tone={j.role === "main" ? "slate" : "amber"}>{j.role === "main" ? "stream + batch" : j.role === "uv" ? "UV sub-task, hybrid" : "campaign to date, hybrid"}</Badge>
                      <span className="text-xs text-slate-500">→ {j.tables.join(", ")}</span>
                      <Badge tone={j.exists ? "sky" : "emerald"}>{j.exists ? "updates the job" : "new job"}</Badge>
                    </li>
                  ))}
                </ul>
              )}
            {jobs.length > 1 ? <p className="mt-2 text-xs text-slate-500">{jobs.length} jobs: <strong>Deploy task</strong> puts them online together, once saved.</p> : null}
          </Card>
          {selectedJob ? (
            <Card title={selectedJob.name} actions={<Tabs label="Generated job view" value={view} onChange={(v) => setQuery("view", v)} options={[{ value: "sql", label: "SQL" }, { value: "preview", label: "Preview rows" }]} />}>
              {view === "sql"
                ? <SqlEditor value={selectedJob.sql} onChange={() => undefined} markers={[]} label="Generated SQL" height={520} readOnly />
                : <PreviewPanel project={project} job={selectedJob.name} sql={selectedJob.sql} defaultBizdate={yesterday()} />}
            </Card>
          ) : null}
        </div>
      </div>
    </>
  );
}

function Labeled({ label, errors, className, children }: { label: string; errors?: string[]; className?: string; children: (id: string) => ReactNode }) {
  const id = `f-${label.toLowerCase().replace(/\W+/g, "-")}`;
  return (
    <div className={className}>
      <label htmlFor={id} className="mb-1 block text-xs font-medium text-slate-600">{label}</label>
      {children(id)}
      {errors?.map((e) => <p key={e} role="alert" className="mt-1 text-xs text-rose-700">{e}</p>)}
    </div>
  );
}

function Row({ children, onRemove, label, errors }: { children: ReactNode; onRemove: () => void; label: string; errors: string[] }) {
  return (
    <div>
      <div className="flex flex-wrap items-center gap-2">
        {children}
        <Button size="sm" variant="ghost" aria-label={`Remove ${label}`} onClick={onRemove}>Remove</Button>
      </div>
      {errors.map((e) => <p key={e} role="alert" className="mt-1 text-xs text-rose-700">{e}</p>)}
    </div>
  );
}

function ProcessFields({ p, i, metaNames, onChange }: { p: Process; i: number; metaNames: string[]; onChange: (p: Process) => void }) {
  const n = i + 1;
  const list = (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean);
  if (p.type === "dimensionJoin") {
    const key = p.on[0] ?? { source: "", dimension: "" };
    return (
      <>
        <select aria-label={`Process ${n} dimension table`} className={`${inputBase} w-40`} value={p.table} onChange={(e) => onChange({ ...p, table: e.target.value })}>
          <option value="">Dimension…</option>
          {metaNames.map((m) => <option key={m} value={m}>{m}</option>)}
        </select>
        <input aria-label={`Process ${n} source key`} className={`${monoInputBase} w-28`} placeholder="source key" value={key.source} onChange={(e) => onChange({ ...p, on: [{ ...key, source: e.target.value }] })} />
        <span className="text-slate-400">=</span>
        <input aria-label={`Process ${n} dimension key`} className={`${monoInputBase} w-28`} placeholder="dimension key" value={key.dimension} onChange={(e) => onChange({ ...p, on: [{ ...key, dimension: e.target.value }] })} />
        <input aria-label={`Process ${n} columns`} className={`${monoInputBase} min-w-0 flex-1`} placeholder="columns to bring" value={p.columns.join(", ")} onChange={(e) => onChange({ ...p, columns: list(e.target.value) })} />
        <label className="flex items-center gap-1 text-xs text-slate-600"><input type="checkbox" checked={p.left ?? false} onChange={(e) => onChange({ ...p, left: e.target.checked })} /> left</label>
      </>
    );
  }
  if (p.type === "filter") return <input aria-label={`Process ${n} condition`} className={`${monoInputBase} min-w-0 flex-1`} placeholder="a condition or a filter element" value={p.condition} onChange={(e) => onChange({ ...p, condition: e.target.value })} />;
  if (p.type === "dedup") {
    return (
      <>
        <input aria-label={`Process ${n} keys`} className={`${monoInputBase} min-w-0 flex-1`} placeholder="keys" value={p.keys.join(", ")} onChange={(e) => onChange({ ...p, keys: list(e.target.value) })} />
        <select aria-label={`Process ${n} keep`} className={`${inputBase} w-32`} value={p.keep ?? "first"} onChange={(e) => onChange({ ...p, keep: e.target.value as "first" | "last" })}>
          <option value="first">keep first</option><option value="last">keep last</option>
        </select>
      </>
    );
  }
  return (
    <>
      <input aria-label={`Process ${n} column`} className={`${monoInputBase} w-32`} placeholder="list column" value={p.column} onChange={(e) => onChange({ ...p, column: e.target.value })} />
      <span className="text-xs text-slate-500">split by</span>
      <input aria-label={`Process ${n} delimiter`} className={`${monoInputBase} w-16`} value={p.delimiter ?? ","} onChange={(e) => onChange({ ...p, delimiter: e.target.value })} />
      <span className="text-xs text-slate-500">into</span>
      <input aria-label={`Process ${n} as`} className={`${monoInputBase} w-28`} placeholder="item" value={p.as} onChange={(e) => onChange({ ...p, as: e.target.value })} />
      <span className="text-xs text-slate-500" title="Items past this position are dropped; each position is one UNION ALL branch of the generated SQL">at most</span>
      <input aria-label={`Process ${n} max items`} type="number" min={1} max={32} className={`${inputBase} w-20`} value={p.maxItems ?? 8}
        onChange={(e) => onChange({ ...p, maxItems: Math.max(1, Math.min(32, Number(e.target.value) || 1)) })} />
      <span className="text-xs text-slate-500">items</span>
    </>
  );
}
