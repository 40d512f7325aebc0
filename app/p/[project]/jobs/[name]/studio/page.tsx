"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { use, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { TextDiff } from "../../../../../_components/studio/version-diff";
import { DeployButton } from "../../../../../_components/studio/deploy-button";
import { PreviewPanel } from "../../../../../_components/studio/preview-panel";
import { SettingsPanel, type JobSpecDraft } from "../../../../../_components/studio/settings-panel";
import { loadMonaco, SqlEditor, type EditorCompletion, type EditorMarker, type EditorShortcut } from "../../../../../_components/sql-editor";
import { Badge, Button, Card, Code, ErrorState, PageHeader, SkeletonRows, Tabs } from "../../../../../_components/ui";
import { useToast } from "../../../../../_components/toast";
import { issuesOf, messageOf } from "../../../../../_lib/issues";
import { useDebounced } from "../../../../../_lib/use-debounced";
import { useTRPC, useTRPCClient } from "../../../../../_lib/trpc/client";
import type { RouterOutputs } from "../../../../../_lib/api-types";

// The SQL studio of one job: edit the draft with live validation from the server (markers at the line and
// column the server reports), catalog-aware completion, save (Ctrl/Cmd+S), and the stream and batch
// scripts the one SQL becomes, side by side. Deploying stays on the job page, next to the history.

type Panel = "scripts" | "diff" | "local" | "lineage" | "preview";

// The editor's code is the largest part of the page: start fetching it with the page's own code, not after
// the first render.
if (typeof window !== "undefined") void loadMonaco();

function yesterday(): string {
  const d = new Date(Date.now() - 86_400_000);
  return d.toISOString().slice(0, 10);
}

export default function StudioPage({ params }: { params: Promise<{ project: string; name: string }> }) {
  const { project: rawProject, name: rawName } = use(params);
  const project = decodeURIComponent(rawProject);
  const name = decodeURIComponent(rawName);
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const toast = useToast();
  const job = useQuery(trpc.jobs.get.queryOptions({ project, name }));
  const [draft, setDraft] = useState<JobSpecDraft | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [panel, setPanel] = useState<Panel>("scripts");
  const [bizdate] = useState(yesterday);
  const saved = job.data?.spec;
  const savedRef = useRef(saved);
  savedRef.current = saved;
  const spec = draft ?? saved;
  const text = spec?.sql ?? "";
  const dirty = draft !== null && saved !== undefined && JSON.stringify(draft) !== JSON.stringify(saved);
  const setSql = useCallback((sql: string) => setDraft((d) => {
    const base = d ?? savedRef.current;
    return base ? { ...base, sql } : d;
  }), []);

  // Live validation of what is typed, debounced; long drafts go by POST (the client's link does that).
  // The saved SQL is checked at once; edits after a pause in typing.
  const debounced = useDebounced(text, 250);
  const checked = draft === null ? text : debounced;
  const validation = useQuery({
    ...trpc.sql.validate.queryOptions({ project, job: name, sql: checked || " ", variables: spec?.variables }),
    enabled: saved !== undefined,
    placeholderData: (prev) => prev,
  });
  const markers: EditorMarker[] = useMemo(() => (validation.data?.issues ?? [])
    .filter((i) => i.line !== undefined)
    .map((i) => ({ line: i.line ?? 1, column: i.column ?? 1, message: i.message })), [validation.data]);
  const [translateAsked, setTranslateAsked] = useState(false);
  const translation = useQuery({
    ...trpc.sql.translate.queryOptions({ source: { job: name, sql: checked || " " }, bizdate, project }),
    enabled: translateAsked && saved !== undefined,
    placeholderData: (prev) => prev,
  });

  const save = useMutation(trpc.jobs.update.mutationOptions({
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: trpc.jobs.get.queryKey({ project, name }) });
      void queryClient.invalidateQueries({ queryKey: trpc.jobs.pathKey() }); // every jobs query, in the background (some ask the orchestrator)
      setDraft(null);
      setFieldErrors({});
      toast({ message: `Saved ${name}`, tone: "success" });
    },
    onError: (e) => {
      // Issues name spec paths (jobs.<name>.batch.cron): shown at their field in the settings.
      const byField: Record<string, string[]> = {};
      for (const i of issuesOf(e)) {
        const field = i.path.split(".").slice(2).join(".") || "sql";
        (byField[field] ??= []).push(i.message);
      }
      setFieldErrors(byField);
      toast({ message: `Not saved: ${issuesOf(e)[0]?.message ?? messageOf(e)}`, tone: "error" });
    },
  }));
  const doSave = useCallback(() => {
    if (!dirty) return;
    save.mutate({ project, name, spec: draft });
  }, [dirty, draft, save, project, name]);

  const complete = useCallback(async (sql: string, line: number, column: number): Promise<EditorCompletion[]> => {
    const c = await client.sql.completions.query({ project, sql, line, column });
    return [
      ...c.columns.map((col) => ({ label: col.name, kind: "column" as const, detail: `${col.type}${col.table ? ` · ${col.table}` : ""}` })),
      ...c.tables.map((t) => ({ label: t.name, kind: "table" as const, detail: `${t.kind} meta-table` })),
      ...c.variables.map((v) => ({ label: v, kind: "variable" as const, insertText: v })),
      ...c.functions.map((f) => ({ label: f.name, kind: "function" as const, detail: f.signature })),
      ...c.keywords.map((k) => ({ label: k, kind: "keyword" as const })),
    ];
  }, [client, project]);

  const formatRef = useRef<(() => Promise<void>) | null>(null);
  const [formatting, setFormatting] = useState(false);
  const format = useCallback(async (sql: string): Promise<string | undefined> => {
    setFormatting(true);
    try {
      return (await client.sql.format.mutate({ project, sql })).sql;
    } catch (e) {
      const first = issuesOf(e)[0];
      toast({ message: `Not formatted: ${first ? `${first.line !== undefined ? `${first.line}:${first.column ?? 1} ` : ""}${first.message}` : messageOf(e)}`, tone: "error" });
      return undefined;
    } finally {
      setFormatting(false);
    }
  }, [client, project, toast]);

  const onShortcut = useCallback((s: EditorShortcut) => {
    if (s === "save") doSave();
    else if (s === "translate") { setTranslateAsked(true); setPanel("scripts"); }
    else if (s === "validate") void validation.refetch();
    else { setPanel("preview"); }
  }, [doSave, validation]);

  // Unsaved changes survive neither a reload nor closing the tab without a question.
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => { e.preventDefault(); };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  if (job.isPending) return <SkeletonRows rows={8} />;
  if (job.isError) return <ErrorState error={job.error} onRetry={() => void job.refetch()} />;
  const issues = validation.data?.issues ?? [];
  const canEdit = job.data.you.canEdit;

  return (
    <>
      <PageHeader
        title={<span className="flex items-center gap-2">{name}<span className="text-base font-normal text-slate-400">studio</span>{dirty ? <Badge tone="amber">unsaved</Badge> : null}</span>}
        description={<Link href={`/p/${encodeURIComponent(project)}/jobs/${encodeURIComponent(name)}`} className="text-sky-700 hover:underline">Deployments and settings</Link>}
        actions={
          <div className="flex gap-2">
            <Button onClick={() => void formatRef.current?.()} disabled={formatting || !canEdit} title="Shift+Alt+F">{formatting ? "Formatting…" : "Format"}</Button>
            <Button onClick={() => { setTranslateAsked(true); setPanel("scripts"); }} title="Ctrl/Cmd+Shift+T">Translate</Button>
            <DeployButton project={project} job={name} dirty={dirty} canDeploy={job.data.you.canDeploy} role={job.data.you.role} nextVersion={(job.data.production?.version ?? 0) + 1} />
            <Button variant="primary" onClick={doSave} disabled={!dirty || save.isPending || !canEdit} title={canEdit ? "Ctrl/Cmd+S" : "Saving needs the editor role"}>{save.isPending ? "Saving…" : "Save"}</Button>
          </div>
        }
      />
      <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_24rem]">
        <div className="min-w-0 space-y-2">
          <SqlEditor label={`SQL of ${name}`} value={text} onChange={setSql} markers={markers} complete={complete} onShortcut={onShortcut} format={format} formatRef={formatRef} height={420} />
          <p className="text-xs text-slate-500">Ctrl/Cmd+S save · Ctrl/Cmd+Enter validate · Ctrl/Cmd+Shift+T translate · Ctrl/Cmd+Shift+Enter preview · Shift+Alt+F format · Ctrl+Space complete</p>
        </div>
        <Card title={<span className="flex items-center gap-2">Problems {validation.isFetching ? <span className="text-xs font-normal text-slate-400">checking…</span> : null}</span>} padded={false}>
          {issues.length === 0 ? (
            <p role="status" className="px-4 py-6 text-center text-sm text-emerald-700">{validation.data ? "No problems: both sides translate." : "Checking…"}</p>
          ) : (
            <ul aria-label="Problems" className="max-h-[26rem] divide-y divide-slate-100 overflow-auto text-sm">
              {issues.map((i, n) => (
                <li key={n} className="px-4 py-2">
                  {i.line !== undefined ? <span className="mr-2 font-mono text-xs text-rose-700">{i.line}:{i.column ?? 1}</span> : null}
                  <span className="text-slate-700">{i.message}</span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>

      <div className="mt-4 grid gap-4 xl:grid-cols-[minmax(0,1fr)_24rem]">
        <div className="min-w-0">
        <Card title="Translation" actions={<Tabs label="Translation view" value={panel} onChange={(p) => { setPanel(p); setTranslateAsked(true); }} options={[{ value: "scripts", label: "Stream | batch" }, { value: "diff", label: "Stream ⇄ batch diff" }, { value: "local", label: "Local scripts" }, { value: "lineage", label: "Column lineage" }, { value: "preview", label: "Preview" }]} />}>
          {panel === "preview" ? <PreviewPanel project={project} job={name} sql={text} defaultBizdate={bizdate} /> : !translateAsked ? (
            <p className="py-4 text-center text-sm text-slate-500">Translate (Ctrl/Cmd+Shift+T) shows the stream job and the batch job of this SQL side by side, for bizdate {bizdate}.</p>
          ) : translation.isError ? <ErrorState error={translation.error} /> : !translation.data ? <SkeletonRows rows={4} /> : (
            <TranslationView t={translation.data} panel={panel} />
          )}
        </Card>
        </div>
        <Card title="Settings">
          {spec ? <SettingsPanel project={project} spec={spec} onChange={setDraft} errors={fieldErrors} readOnly={!canEdit} /> : null}
        </Card>
      </div>
    </>
  );
}

type TranslationData = RouterOutputs["sql"]["translate"];
type LocalScriptData = NonNullable<NonNullable<TranslationData["local"]>["batch"]>;

/** A local script as one readable text: its views, then its statements. */
function localText(script: LocalScriptData | null | undefined): string {
  if (!script) return "-- none";
  return [...script.setup.map((s) => `${s};`), ...script.views.map((v) => `${v.sql};`), ...script.statements.map((st) => `-- into ${st.target}\n${st.select};`)].join("\n\n");
}

function TranslationView({ t, panel }: { t: TranslationData; panel: Panel }) {
  if (t.errors.length > 0) {
    return <ul role="alert" className="list-disc space-y-1 pl-5 text-sm text-rose-800">{t.errors.map((e, i) => <li key={i}>{e.line !== undefined ? `${e.line}:${e.column ?? 1} ` : ""}{e.message}</li>)}</ul>;
  }
  if (panel === "scripts") {
    return (
      <div className="grid gap-3 lg:grid-cols-2">
        <div><h3 className="mb-1 text-xs font-semibold text-sky-700 uppercase">Stream job</h3><Code label="Stream script">{t.stream ?? "-- no stream side"}</Code></div>
        <div><h3 className="mb-1 text-xs font-semibold text-amber-700 uppercase">Batch job ({t.bizdate})</h3><Code label="Batch script">{t.batch ?? "-- no batch side"}</Code></div>
      </div>
    );
  }
  if (panel === "diff") {
    // What differs between the two jobs of one SQL: sources, partition pruning, sinks, write mode.
    return <TextDiff left={{ label: "Stream job", text: t.stream ?? "-- no stream side" }} right={{ label: `Batch job (${t.bizdate})`, text: t.batch ?? "-- no batch side" }} height={420} testId="script-diff" />;
  }
  if (panel === "local") {
    return (
      <div className="grid gap-3 lg:grid-cols-2">
        <div><h3 className="mb-1 text-xs font-semibold text-sky-700 uppercase">Local stream (DuckDB)</h3><Code label="Local stream script">{localText(t.local?.stream)}</Code></div>
        <div><h3 className="mb-1 text-xs font-semibold text-amber-700 uppercase">Local batch (DuckDB)</h3><Code label="Local batch script">{localText(t.local?.batch)}</Code></div>
      </div>
    );
  }
  return (
    <table className="w-full text-sm" aria-label="Column lineage">
      <thead className="border-b border-slate-200 text-left text-xs text-slate-500"><tr><th className="py-1.5">Sink column</th><th className="py-1.5">Comes from</th></tr></thead>
      <tbody className="divide-y divide-slate-100">
        {t.lineage.columns.map((c, i) => (
          <tr key={i}><td className="py-1.5 font-mono text-xs">{c.sink.table}.{c.sink.column}</td><td className="py-1.5 font-mono text-xs text-slate-600">{c.sources.map((s) => `${s.table}.${s.column}`).join(", ") || "(constant)"}</td></tr>
        ))}
      </tbody>
    </table>
  );
}
