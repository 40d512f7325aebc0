"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { Suspense, use, useMemo, useState } from "react";
import { useToast } from "../../../_components/toast";
import { Badge, Button, Card, ConfirmDialog, EmptyState, ErrorState, inputBase, PageHeader, SkeletonRows } from "../../../_components/ui";
import type { RouterOutputs } from "../../../_lib/api-types";
import { relativeTime } from "../../../_lib/format";
import { messageOf } from "../../../_lib/issues";
import { useTRPC } from "../../../_lib/trpc/client";
import { useUrlParams } from "../../../_lib/url-params";
import { RuleEditor, type Rule } from "./_components/rule-form";

// Quality of a table's partitions: its rules (add, edit, delete with undo), a check by hand, the partitions
// with their latest results (failing first), the results over time, and the reconciliation drift with the
// differing keys. The table, partition and rule are in the URL.

type Result = RouterOutputs["quality"]["results"][number];

export default function QualityPage({ params }: { params: Promise<{ project: string }> }) {
  const project = decodeURIComponent(use(params).project);
  return (
    <>
      <PageHeader title="Quality" description="Rules check each partition a batch instance writes before it is marked ready; a failed blocking rule keeps it not ready. Reconcile rules compare the stream side's day with the batch side's." />
      <Suspense fallback={<SkeletonRows rows={6} />}>
        <QualityView project={project} />
      </Suspense>
    </>
  );
}

const dayText = (p: string) => p.replace(/^(\d{4})(\d{2})(\d{2})$/, "$1-$2-$3");

function QualityView({ project }: { project: string }) {
  const trpc = useTRPC();
  const url = useUrlParams();
  const tables = useQuery(trpc.catalog.tables.list.queryOptions({ project, kind: "batch", pageSize: 500 }));
  const failing = useQuery(trpc.quality.results.queryOptions({ project, failed: true, limit: 20 }));
  const names = useMemo(() => tables.data?.rows.map((r) => r.name) ?? [], [tables.data]);
  const table = url.get("table") ?? names[0] ?? null;

  if (tables.isPending) return <SkeletonRows rows={6} />;
  if (tables.isError) return <ErrorState error={tables.error} onRetry={() => void tables.refetch()} />;
  if (names.length === 0) return <EmptyState title="No batch table">Quality rules check the daily partitions of batch tables: add one under Tables.</EmptyState>;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <label className="flex items-center gap-2 text-sm text-slate-600">
          Table
          <select aria-label="Table" className={`${inputBase} w-72 font-mono text-[13px]`} value={table ?? ""} onChange={(e) => url.set({ table: e.target.value, partition: null, rule: null })}>
            {names.includes(table ?? "") ? null : <option value={table ?? ""}>{table}</option>}
            {names.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
        {table ? <Link className="text-sm text-indigo-700 hover:underline" href={`/p/${encodeURIComponent(project)}/tables/${encodeURIComponent(table)}/partitions`}>All partitions of {table} →</Link> : null}
      </div>
      {failing.data && failing.data.length > 0 ? <RecentFailures results={failing.data} onOpen={(r) => url.set({ table: r.table, partition: r.partition, rule: r.rule })} /> : null}
      {table ? <TableQuality key={table} project={project} table={table} tables={names} /> : null}
    </div>
  );
}

function RecentFailures({ results, onOpen }: { results: Result[]; onOpen: (r: Result) => void }) {
  const seen = new Set<string>();
  const latest = results.filter((r) => { const k = `${r.table}/${r.partition}/${r.rule}`; if (seen.has(k)) return false; seen.add(k); return true; }).slice(0, 6);
  return (
    <section aria-label="Failing now" className="rounded-lg border border-rose-200 bg-rose-50/60 px-4 py-2.5">
      <p className="text-sm font-medium text-rose-800">Failing rules in this project</p>
      <ul className="mt-1 space-y-0.5 text-sm">
        {latest.map((r) => (
          <li key={r.id} className="flex min-w-0 items-center gap-2">
            <Badge tone={r.severity === "blocking" ? "rose" : "amber"}>{r.severity}</Badge>
            <button type="button" className="min-w-0 truncate text-left text-rose-900 hover:underline" onClick={() => onOpen(r)} title={r.message}>
              <span className="font-mono">{r.table}/{dayText(r.partition)}</span> · {r.rule}: {r.message}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function TableQuality({ project, table, tables }: { project: string; table: string; tables: string[] }) {
  const trpc = useTRPC();
  const url = useUrlParams();
  const toast = useToast();
  const queryClient = useQueryClient();
  const rules = useQuery(trpc.quality.rules.queryOptions({ project, table }));
  const detail = useQuery(trpc.catalog.tables.get.queryOptions({ project, name: table }));
  const results = useQuery(trpc.quality.results.queryOptions({ project, table, limit: 1000 }));
  const partitions = useQuery(trpc.quality.partitions.queryOptions({ project, table, limit: 30 }));
  const [editing, setEditing] = useState<Rule | "new" | null>(null);
  const [deleting, setDeleting] = useState<Rule | null>(null);
  const refresh = async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.quality.rules.queryKey({ project, table }) }),
      queryClient.invalidateQueries({ queryKey: trpc.quality.results.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.quality.partitions.queryKey({ project, table }) }),
    ]);
  };
  const upsert = useMutation(trpc.quality.upsertRule.mutationOptions({
    onSuccess: async (rule) => { setEditing(null); toast({ message: `Saved rule ${rule.name}`, tone: "success" }); await refresh(); },
  }));
  const remove = useMutation(trpc.quality.deleteRule.mutationOptions());
  const columns = detail.data?.spec.columns.map((c) => c.name) ?? [];
  const selectedRule = url.get("rule");
  const hasReconcile = rules.data?.some((r) => r.kind === "reconcile") ?? false;

  const confirmDelete = (rule: Rule) => {
    remove.mutate({ project, table, name: rule.name }, {
      onSuccess: () => {
        setDeleting(null);
        void refresh();
        toast({
          message: `Deleted rule ${rule.name}`,
          action: { label: "Undo", onClick: () => upsert.mutate({ project, table, rule }) },
        });
      },
      onError: (e) => { setDeleting(null); toast({ message: `Could not delete ${rule.name}: ${messageOf(e)}`, tone: "error" }); },
    });
  };

  return (
    <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
      <Card title={`Rules on ${table}`} actions={editing === null ? <Button size="sm" variant="primary" onClick={() => { upsert.reset(); setEditing("new"); }}>Add rule</Button> : null} className="xl:col-span-2">
        {editing !== null ? (
          <div className="mb-4 rounded-md border border-indigo-200 bg-indigo-50/40 p-3">
            <RuleEditor
              key={editing === "new" ? "new" : editing.name}
              initial={editing === "new" ? undefined : editing}
              columns={columns}
              tables={tables}
              busy={upsert.isPending}
              serverError={upsert.error}
              onCancel={() => { setEditing(null); upsert.reset(); }}
              onSave={(rule) => upsert.mutate({ project, table, rule })}
            />
          </div>
        ) : null}
        {rules.isPending ? <SkeletonRows rows={2} /> : rules.isError ? <ErrorState error={rules.error} onRetry={() => void rules.refetch()} /> : rules.data.length === 0 ? (
          <p className="text-sm text-slate-500">No rules on this table yet. Add one, or declare them under the table in the project file (<code className="font-mono text-xs">quality:</code>).</p>
        ) : (
          <RuleList rules={rules.data} results={results.data ?? []} selected={selectedRule} onEdit={(r) => { upsert.reset(); setEditing(r); }} onDelete={setDeleting} />
        )}
      </Card>
      <CheckCard project={project} table={table} hasReconcile={hasReconcile} latest={partitions.data?.[0]?.partition} onDone={refresh} />
      <Card title="Partitions, failing first" padded={false}>
        {partitions.isPending ? <div className="p-4"><SkeletonRows rows={3} /></div> : partitions.isError ? <div className="p-4"><ErrorState error={partitions.error} /></div> : partitions.data.length === 0 ? (
          <p className="p-4 text-sm text-slate-500">No partition is ready or checked yet.</p>
        ) : <PartitionList partitions={partitions.data} selected={url.get("partition")} onPick={(p) => url.set({ partition: p })} />}
      </Card>
      <Card title="Results over time" className="xl:col-span-2" padded={false}>
        {results.isPending ? <div className="p-4"><SkeletonRows rows={3} /></div> : results.isError ? <div className="p-4"><ErrorState error={results.error} /></div> : <ResultGrid results={results.data} selectedPartition={url.get("partition")} />}
      </Card>
      <Card title="Reconciliation drift" className="xl:col-span-2">
        <Drift results={(results.data ?? []).filter((r) => r.kind === "reconcile")} hasRule={hasReconcile} />
      </Card>
      <ConfirmDialog open={deleting !== null} title={`Delete rule ${deleting?.name ?? ""}?`} confirmLabel="Delete" busy={remove.isPending} onCancel={() => setDeleting(null)} onConfirm={() => { if (deleting) confirmDelete(deleting); }}>
        Its results stay. You can undo right after.
      </ConfirmDialog>
    </div>
  );
}

function describeRule(r: Rule): string {
  switch (r.kind) {
    case "rowCount": return [r.min !== undefined ? `min ${r.min}` : null, r.max !== undefined ? `max ${r.max}` : null, r.maxChangePct !== undefined ? `±${r.maxChangePct}% week on week` : null].filter(Boolean).join(", ");
    case "nullRatio": return `${r.column}: nulls ≤ ${r.max}`;
    case "unique": return `unique (${r.columns.join(", ")})`;
    case "range": return `${r.column} in [${r.min ?? "−∞"}, ${r.max ?? "∞"}]`;
    case "freshness": return `ready by ${r.readyBy} (D+${r.dayOffset})`;
    case "sql": return r.sql.replace(/\s+/g, " ").slice(0, 120);
    case "reconcile": return `against ${r.against} on (${r.key.join(", ")})`;
  }
}

function RuleList({ rules, results, selected, onEdit, onDelete }: { rules: Rule[]; results: Result[]; selected: string | null; onEdit: (r: Rule) => void; onDelete: (r: Rule) => void }) {
  const latest = new Map<string, Result>();
  for (const r of results) if (!latest.has(r.rule)) latest.set(r.rule, r);
  return (
    <table className="w-full table-fixed text-sm" aria-label="Rules">
      <thead className="text-left text-xs text-slate-500">
        <tr><th className="w-[22%] py-1.5 font-medium">Rule</th><th className="w-[12%] font-medium">Kind</th><th className="font-medium">Checks</th><th className="w-[26%] font-medium">Latest result</th><th className="w-32" /></tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rules.map((r) => {
          const res = latest.get(r.name);
          return (
            <tr key={r.name} className={selected === r.name ? "bg-indigo-50/60" : undefined}>
              <td className="py-2 pr-2 align-top"><span className="block truncate font-mono text-[12.5px] font-medium text-slate-900" title={r.name}>{r.name}</span><Badge tone={r.severity === "blocking" ? "rose" : "amber"}>{r.severity}</Badge></td>
              <td className="py-2 align-top text-slate-600">{r.kind}</td>
              <td className="py-2 pr-2 align-top break-words text-slate-600">{describeRule(r)}</td>
              <td className="py-2 pr-2 align-top">
                {res ? (
                  <span className="block min-w-0" title={res.message}>
                    <Badge tone={res.passed ? "emerald" : "rose"}>{res.passed ? "passed" : "failed"}</Badge> <span className="text-xs text-slate-500">{dayText(res.partition)}</span>
                    {!res.passed ? <span className="block truncate text-xs text-rose-700">{res.message}</span> : null}
                  </span>
                ) : <span className="text-xs text-slate-400">not checked yet</span>}
              </td>
              <td className="py-2 text-right align-top whitespace-nowrap">
                <Button size="sm" onClick={() => onEdit(r)} aria-label={`Edit ${r.name}`}>Edit</Button>{" "}
                <Button size="sm" onClick={() => onDelete(r)} aria-label={`Delete ${r.name}`}>Delete</Button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function yesterday(): string {
  return new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
}

function CheckCard({ project, table, hasReconcile, latest, onDone }: { project: string; table: string; hasReconcile: boolean; latest: string | undefined; onDone: () => Promise<void> }) {
  const trpc = useTRPC();
  const [day, setDay] = useState<string | null>(null);
  const value = day ?? (latest ? dayText(latest) : yesterday());
  const check = useMutation(trpc.quality.check.mutationOptions({ onSuccess: onDone }));
  const reconcile = useMutation(trpc.quality.reconcile.mutationOptions({ onSuccess: onDone }));
  const outcome = check.data ?? reconcile.data;
  const error = check.error ?? reconcile.error;
  return (
    <Card title="Check a partition by hand">
      <div className="flex flex-wrap items-end gap-2">
        <label className="text-xs font-medium text-slate-600">Partition<input type="date" aria-label="Partition day" className={`${inputBase} mt-1 block`} value={value} onChange={(e) => setDay(e.target.value)} /></label>
        <Button variant="primary" disabled={check.isPending} onClick={() => { reconcile.reset(); check.mutate({ project, table, bizdate: value }); }}>{check.isPending ? "Checking…" : "Run check"}</Button>
        {hasReconcile ? <Button disabled={reconcile.isPending} onClick={() => { check.reset(); reconcile.mutate({ project, table, bizdate: value }); }}>{reconcile.isPending ? "Reconciling…" : "Reconcile"}</Button> : null}
      </div>
      {error ? <div className="mt-3"><ErrorState error={error} /></div> : null}
      {outcome ? (
        <div className="mt-3 text-sm" role="status" aria-label="Check outcome">
          {outcome.results.length === 0 ? <p className="text-slate-500">No rule of that kind on this table.</p> : (
            <ul className="space-y-1">
              {outcome.results.map((r) => (
                <li key={r.id} className="flex min-w-0 items-start gap-2">
                  <Badge tone={r.passed ? "emerald" : r.severity === "blocking" ? "rose" : "amber"}>{r.passed ? "passed" : "failed"}</Badge>
                  <span className="min-w-0 break-words"><span className="font-mono text-[12.5px]">{r.rule}</span>: {r.message}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : <p className="mt-3 text-xs text-slate-500">Runs the table&apos;s rules on the day&apos;s partition now and records the results (attributed to the job that writes the table).</p>}
    </Card>
  );
}

type PartitionRow = RouterOutputs["quality"]["partitions"][number];

function PartitionList({ partitions, selected, onPick }: { partitions: PartitionRow[]; selected: string | null; onPick: (p: string) => void }) {
  const failedOf = (p: PartitionRow) => p.results.filter((r) => !r.passed).length;
  const sorted = [...partitions].sort((a, b) => Number(failedOf(b) > 0) - Number(failedOf(a) > 0) || b.partition.localeCompare(a.partition));
  return (
    <ul className="max-h-80 divide-y divide-slate-100 overflow-y-auto" aria-label="Partitions">
      {sorted.map((p) => {
        const failed = failedOf(p);
        return (
          <li key={p.partition}>
            <button type="button" onClick={() => onPick(p.partition)} className={`flex w-full items-center gap-2 px-4 py-2 text-left text-sm hover:bg-slate-50 ${selected === p.partition ? "bg-indigo-50/60" : ""}`}>
              <span className="w-24 shrink-0 font-mono text-[12.5px]">{dayText(p.partition)}</span>
              <Badge tone={p.ready ? "emerald" : "slate"}>{p.ready ? "ready" : "not ready"}</Badge>
              <span className="min-w-0 flex-1 truncate text-xs text-slate-500">{p.rows !== null ? `${p.rows.toLocaleString("en")} rows` : ""}</span>
              {p.results.length === 0 ? <span className="text-xs text-slate-400">no results</span> : failed > 0 ? <Badge tone="rose">{failed} failed</Badge> : <Badge tone="emerald">{p.results.length} passed</Badge>}
            </button>
          </li>
        );
      })}
    </ul>
  );
}

function ResultGrid({ results, selectedPartition }: { results: Result[]; selectedPartition: string | null }) {
  const partitions = [...new Set(results.map((r) => r.partition))].sort().reverse().slice(0, 14).reverse();
  const rules = [...new Set(results.map((r) => r.rule))].sort();
  const cell = new Map<string, Result>();
  for (const r of results) { const k = `${r.rule}\u0000${r.partition}`; if (!cell.has(k)) cell.set(k, r); }
  if (partitions.length === 0) return <p className="p-4 text-sm text-slate-500">No results yet: rules run when a batch instance writes a partition, or with a check by hand.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="text-sm" aria-label="Results over time">
        <thead>
          <tr className="text-xs text-slate-500">
            <th className="sticky left-0 bg-white px-4 py-2 text-left font-medium">Rule</th>
            {partitions.map((p) => <th key={p} className={`px-1.5 py-2 font-mono text-[11px] font-normal whitespace-nowrap ${p === selectedPartition ? "text-indigo-700" : ""}`}>{dayText(p).slice(5)}</th>)}
          </tr>
        </thead>
        <tbody>
          {rules.map((rule) => (
            <tr key={rule} className="border-t border-slate-100">
              <td className="sticky left-0 max-w-56 truncate bg-white px-4 py-1.5 font-mono text-[12px]" title={rule}>{rule}</td>
              {partitions.map((p) => {
                const r = cell.get(`${rule}\u0000${p}`);
                return (
                  <td key={p} className="px-1.5 py-1.5 text-center">
                    {r ? <span title={`${dayText(p)}: ${r.message} (${relativeTime(r.evaluatedAt)})`} aria-label={`${rule} ${dayText(p)} ${r.passed ? "passed" : "failed"}`} className={`inline-block h-4 w-4 rounded-sm ${r.passed ? "bg-emerald-500" : r.severity === "blocking" ? "bg-rose-500" : "bg-amber-400"}`} /> : <span className="inline-block h-4 w-4 rounded-sm bg-slate-100" />}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Drift({ results, hasRule }: { results: Result[]; hasRule: boolean }) {
  const latest = new Map<string, Result>();
  for (const r of results) { const k = `${r.rule}\u0000${r.partition}`; if (!latest.has(k)) latest.set(k, r); }
  const drifting = [...latest.values()].filter((r) => !r.passed).slice(0, 5);
  if (!hasRule && results.length === 0) return <p className="text-sm text-slate-500">No reconcile rule on this table. Add one (kind “Stream vs batch reconciliation”) to compare the stream side&apos;s day with this table&apos;s partition, key by key.</p>;
  if (drifting.length === 0) return <p className="text-sm text-slate-500">{results.length === 0 ? "Not reconciled yet." : "The stream and batch sides agree on every reconciled day."}</p>;
  return (
    <div className="space-y-4">
      {drifting.map((r) => {
        const o = r.observed as { differing?: number; batchRows?: number; streamRows?: number; keys?: Record<string, unknown>[]; keysTruncated?: boolean };
        const keys = o.keys ?? [];
        const cols = keys[0] ? Object.keys(keys[0]) : [];
        return (
          <section key={r.id} aria-label={`Drift of ${r.rule} on ${dayText(r.partition)}`}>
            <p className="text-sm"><span className="font-mono font-medium">{r.rule}</span> on {dayText(r.partition)}: <span className="text-rose-700">{o.differing ?? keys.length} differing key{o.differing === 1 ? "" : "s"}</span> <span className="text-slate-500">(batch {o.batchRows ?? "?"} rows, stream {o.streamRows ?? "?"} rows)</span></p>
            <div className="mt-1.5 max-h-72 overflow-auto rounded-md border border-slate-200">
              <table className="w-full text-xs" aria-label="Differing keys">
                <thead className="sticky top-0 bg-slate-50 text-left text-slate-500"><tr>{cols.map((c) => <th key={c} className="px-2 py-1 font-mono font-medium whitespace-nowrap">{c}</th>)}</tr></thead>
                <tbody className="divide-y divide-slate-100">
                  {keys.map((k, i) => <tr key={i}>{cols.map((c) => <td key={c} className="px-2 py-1 font-mono whitespace-nowrap">{k[c] === null || k[c] === undefined ? "∅" : typeof k[c] === "object" ? JSON.stringify(k[c]) : String(k[c] as string | number | boolean)}</td>)}</tr>)}
                </tbody>
              </table>
            </div>
            {o.keysTruncated ? <p className="mt-1 text-xs text-slate-500">First {keys.length} keys shown.</p> : null}
          </section>
        );
      })}
    </div>
  );
}
