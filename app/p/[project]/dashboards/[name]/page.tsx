"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { use, useCallback, useEffect, useRef, useState } from "react";
import type { DashboardSpecParsed, WidgetParsed } from "../../../../../server/dashboards/schema";
import { formatValue } from "./format";
import type { WidgetData } from "../../../../../server/dashboards/data";
import { Badge, Button, cx, EmptyState, ErrorState, inputClass, monoInputClass, PageHeader, Skeleton, SkeletonRows } from "../../../../_components/ui";
import { issuesOf, messageOf } from "../../../../_lib/issues";
import { useTRPC, useTRPCClient } from "../../../../_lib/trpc/client";

// One dashboard: widgets on a 12-column grid, refreshed by polling (every refreshSeconds; only widgets
// whose data changed come back), a big-screen mode (?screen=1: dark, large type, scaled to fit 1920×1080
// or 3840×2160, no controls; Esc leaves it) and an editor (?edit=1). echarts loads only here.

const Chart = dynamic(() => import("./chart"), { ssr: false, loading: () => <Skeleton className="h-full w-full" /> });

const ROW_PX = 80;
const SCREEN_W = 1920;
const SCREEN_H = 1080;

export default function DashboardPage({ params }: { params: Promise<{ project: string; name: string }> }) {
  const { project: rawProject, name: rawName } = use(params);
  const project = decodeURIComponent(rawProject);
  const name = decodeURIComponent(rawName);
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const screen = search.get("screen") === "1";
  const editing = search.get("edit") === "1";
  const bizdate = search.get("bizdate") ?? undefined;
  const campaign = search.get("campaign") ?? undefined;
  const trpc = useTRPC();
  const spec = useQuery(trpc.dashboards.get.queryOptions({ project, name }));

  const setParam = useCallback((key: string, value: string | undefined) => {
    const next = new URLSearchParams(search.toString());
    if (value) next.set(key, value);
    else next.delete(key);
    const qs = next.toString();
    router.replace(qs ? `${pathname}?${qs}` : pathname);
  }, [search, router, pathname]);

  useEffect(() => {
    if (!screen) return;
    const onKey = (e: KeyboardEvent) => { if (e.key === "Escape") setParam("screen", undefined); };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [screen, setParam]);

  if (spec.isPending) return <SkeletonRows rows={6} />;
  if (spec.isError) return <ErrorState error={spec.error} onRetry={() => void spec.refetch()} />;
  const d = spec.data;

  if (editing) return <Editor project={project} initial={d.spec} version={d.version} onDone={() => setParam("edit", undefined)} />;

  const board = <Board project={project} spec={d.spec} specVersion={d.version} bizdate={bizdate} campaign={campaign} dark={screen} onSpecChanged={() => void spec.refetch()} />;
  if (screen) return <BigScreen title={d.spec.title || d.name}>{board}</BigScreen>;
  return (
    <>
      <PageHeader
        title={d.spec.title || d.name}
        description={d.spec.description}
        actions={(
          <>
            <Link href={`/p/${encodeURIComponent(project)}/dashboards`} className="text-sm text-slate-600 hover:underline">All dashboards</Link>
            <Button onClick={() => setParam("edit", "1")}>Edit</Button>
            <Button variant="primary" onClick={() => setParam("screen", "1")}>Big screen</Button>
          </>
        )}
      />
      <div className="mb-3 flex flex-wrap items-center gap-3 text-sm text-slate-600">
        <label className="flex items-center gap-2">Bizdate
          <input type="date" aria-label="Bizdate" className={`${inputClass} w-40`} value={bizdate && /^\d{4}-\d{2}-\d{2}$/.test(bizdate) ? bizdate : ""} onChange={(e) => setParam("bizdate", e.target.value || undefined)} />
        </label>
        <label className="flex items-center gap-2">Campaign
          <input aria-label="Campaign" className={`${inputClass} w-48`} defaultValue={campaign ?? d.spec.params.campaign} onBlur={(e) => setParam("campaign", e.target.value || undefined)} />
        </label>
        <span>refreshes every {d.spec.refreshSeconds} s · today is {d.spec.params.timeZone ?? "UTC"}&apos;s day</span>
      </div>
      {board}
    </>
  );
}

/** Full-screen, dark, no controls: a 1920×1080 canvas scaled to the window (×2 on a 3840×2160 screen). */
function BigScreen({ title, children }: { title: string; children: React.ReactNode }) {
  const [scale, setScale] = useState(1);
  useEffect(() => {
    const fit = () => setScale(Math.min(window.innerWidth / SCREEN_W, window.innerHeight / SCREEN_H));
    fit();
    window.addEventListener("resize", fit);
    return () => window.removeEventListener("resize", fit);
  }, []);
  return (
    <div data-testid="big-screen" className="dark theme-fixed fixed inset-0 z-50 overflow-hidden bg-slate-950">
      <div style={{ width: SCREEN_W, height: SCREEN_H, transform: `scale(${scale})`, transformOrigin: "top left", position: "absolute", left: (window.innerWidth - SCREEN_W * scale) / 2, top: (window.innerHeight - SCREEN_H * scale) / 2 }} className="p-8 text-slate-100">
        <h1 className="mb-6 text-5xl font-semibold tracking-tight text-slate-50">{title}</h1>
        {children}
      </div>
    </div>
  );
}

type DataMap = Record<string, { version: string; data: WidgetData }>;

function Board({ project, spec, specVersion, bizdate, campaign, dark, onSpecChanged }: {
  project: string; spec: DashboardSpecParsed; specVersion: number; bizdate?: string; campaign?: string; dark: boolean; onSpecChanged: () => void;
}) {
  const client = useTRPCClient();
  const held = useRef<DataMap>({});
  const data = useQuery({
    queryKey: ["dashboard-data", project, spec.name, specVersion, bizdate ?? "", campaign ?? ""],
    queryFn: async (): Promise<DataMap & { __spec?: never }> => {
      const known = Object.fromEntries(Object.entries(held.current).map(([id, v]) => [id, v.version]));
      const r = await client.dashboards.data.query({ project, dashboard: spec.name, bizdate, campaign, known });
      if (r.specVersion !== specVersion) onSpecChanged();
      const next: DataMap = {};
      for (const w of r.widgets) {
        const prev = held.current[w.id];
        if (w.data) next[w.id] = { version: w.version, data: w.data };
        else if (prev) next[w.id] = prev;
      }
      held.current = next;
      return next;
    },
    refetchInterval: spec.refreshSeconds * 1000,
    refetchIntervalInBackground: true,
    staleTime: 0,
  });
  if (spec.widgets.length === 0) return <EmptyState title="No widgets yet">Open <strong>Edit</strong> to add a big number, a chart, a top-N table or a stream-vs-batch comparison.</EmptyState>;
  const rowPx = dark ? Math.floor((SCREEN_H - 150) / Math.max(1, ...spec.widgets.map((w) => w.layout.y + w.layout.h))) : ROW_PX;
  return (
    <div className="grid gap-4" style={{ gridTemplateColumns: "repeat(12, minmax(0, 1fr))", gridAutoRows: `${rowPx - 16}px` }} data-updated={data.dataUpdatedAt}>
      {spec.widgets.map((w) => (
        <WidgetCard key={w.id} widget={w} datum={data.data?.[w.id]?.data} error={data.isError ? data.error : undefined} dark={dark} />
      ))}
    </div>
  );
}

function WidgetCard({ widget: w, datum, error, dark }: { widget: WidgetParsed; datum?: WidgetData; error?: unknown; dark: boolean }) {
  return (
    <section
      data-testid={`widget-${w.id}`}
      aria-label={w.title || w.id}
      style={{ gridColumn: `${w.layout.x + 1} / span ${w.layout.w}`, gridRow: `${w.layout.y + 1} / span ${w.layout.h}` }}
      className={cx("flex min-h-0 min-w-0 flex-col rounded-lg border p-3", dark ? "border-slate-800 bg-slate-900" : "border-slate-200 bg-white shadow-xs")}
    >
      <h2 className={cx("truncate font-medium", dark ? "text-xl text-slate-300" : "text-sm text-slate-600")} title={w.title || w.id}>{w.title || w.id}</h2>
      <div className="min-h-0 flex-1">
        {datum ? <WidgetBody widget={w} datum={datum} dark={dark} /> : error ? <p className="text-sm text-rose-600">{messageOf(error)}</p> : <Skeleton className="mt-2 h-8 w-2/3" />}
      </div>
    </section>
  );
}

function WidgetBody({ widget: w, datum, dark }: { widget: WidgetParsed; datum: WidgetData; dark: boolean }) {
  if (datum.kind === "error") return <p className={cx("mt-1 line-clamp-4 font-mono text-xs", dark ? "text-rose-300" : "text-rose-700")} title={datum.message}>{datum.message}</p>;
  if (datum.kind === "number") {
    const delta = datum.value !== null && datum.previous ? (datum.value - datum.previous) / Math.abs(datum.previous) : null;
    return (
      <div className="flex h-full flex-col justify-center">
        <div data-testid={`value-${w.id}`} className={cx("truncate font-semibold tabular-nums", dark ? "text-6xl text-slate-50" : "text-3xl text-slate-900")}>{formatValue(datum.value, w.format)}</div>
        {w.kind === "number" && w.delta && (
          <div className={cx("tabular-nums", dark ? "text-xl" : "text-xs", delta === null ? "text-slate-500" : delta >= 0 ? "text-emerald-600" : "text-rose-600")}>
            {delta === null ? "no value yesterday" : `${delta >= 0 ? "▲" : "▼"} ${(Math.abs(delta) * 100).toFixed(1)} % vs yesterday (${formatValue(datum.previous, w.format)})`}
          </div>
        )}
      </div>
    );
  }
  if (datum.kind === "line" || datum.kind === "bar") {
    if (datum.x.length === 0) return <p className="mt-2 text-sm text-slate-500">No rows for this day yet.</p>;
    return <Chart kind={datum.kind} x={datum.x} series={datum.series} dark={dark} large={dark} format={w.format} />;
  }
  if (datum.kind === "table") {
    if (datum.rows.length === 0) return <p className="mt-2 text-sm text-slate-500">No rows for this day yet.</p>;
    return (
      <div className="h-full overflow-auto">
        <table className={cx("w-full tabular-nums", dark ? "text-lg" : "text-xs")}>
          <thead className={dark ? "text-slate-400" : "text-slate-500"}><tr>{datum.columns.map((c) => <th key={c} scope="col" className="px-1 py-1 text-left font-medium">{c}</th>)}</tr></thead>
          <tbody className={dark ? "text-slate-100" : "text-slate-800"}>
            {datum.rows.map((r, i) => <tr key={i} className={dark ? "border-t border-slate-800" : "border-t border-slate-100"}>{r.map((v, j) => <td key={j} className="px-1 py-0.5">{v === null ? "–" : typeof v === "number" ? v.toLocaleString("en-US") : String(v)}</td>)}</tr>)}
          </tbody>
        </table>
      </div>
    );
  }
  return <Comparison widget={w} datum={datum} dark={dark} />;
}

function Comparison({ widget: w, datum, dark }: { widget: WidgetParsed; datum: Extract<WidgetData, { kind: "comparison" }>; dark: boolean }) {
  return (
    <div className="flex h-full flex-col justify-center gap-2">
      <div className={cx(dark ? "text-lg text-slate-400" : "text-xs text-slate-500")}>{datum.day}</div>
      <div className="grid grid-cols-2 gap-3">
        <div><div className={cx(dark ? "text-lg text-sky-300" : "text-xs text-sky-700")}>Stream (live)</div><div data-testid={`stream-${w.id}`} className={cx("truncate font-semibold tabular-nums", dark ? "text-5xl" : "text-2xl")}>{formatValue(datum.stream, w.format)}</div></div>
        <div><div className={cx(dark ? "text-lg text-indigo-300" : "text-xs text-indigo-700")}>Batch (exact)</div><div data-testid={`batch-${w.id}`} className={cx("truncate font-semibold tabular-nums", dark ? "text-5xl" : "text-2xl")}>{formatValue(datum.batch, w.format)}</div></div>
      </div>
      <div>{datum.batch === null ? <Badge tone="amber">batch not run for the day yet</Badge> : datum.equal ? <Badge tone="emerald">equal</Badge> : <Badge tone="rose">differ by {formatValue((datum.stream ?? 0) - datum.batch, w.format)}</Badge>}</div>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------------
// Editor

const NEW_SQL: Record<"number" | "line" | "bar" | "table", string> = {
  number: "SELECT SUM(pv) AS value FROM ads_coupon_daily_rt WHERE dt = ${bizdate}",
  line: "SELECT CAST(coupon_id AS VARCHAR) AS x, pv FROM ads_coupon_daily_rt WHERE dt = ${bizdate} ORDER BY coupon_id",
  bar: "SELECT CAST(coupon_id AS VARCHAR) AS x, pv FROM ads_coupon_daily_rt WHERE dt = ${bizdate} ORDER BY pv DESC LIMIT 10",
  table: "SELECT * FROM ads_coupon_daily_rt WHERE dt = ${bizdate} ORDER BY pv DESC",
};

function newWidget(kind: WidgetParsed["kind"], id: string, y: number): WidgetParsed {
  const layout = { x: 0, y, w: kind === "number" ? 3 : 6, h: kind === "number" ? 2 : 4 };
  if (kind === "comparison") return { id, kind, title: "", layout, format: "number", metaTable: "ads_coupon_daily", measure: "SUM(pv)", daysBack: 1 };
  if (kind === "table") return { id, kind, title: "", layout, format: "number", sql: NEW_SQL.table, limit: 10 };
  if (kind === "number") return { id, kind, title: "", layout, format: "number", sql: NEW_SQL.number, delta: true };
  return { id, kind, title: "", layout, format: "number", sql: NEW_SQL[kind] };
}

function Editor({ project, initial, version, onDone }: { project: string; initial: DashboardSpecParsed; version: number; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<DashboardSpecParsed>(initial);
  const [selected, setSelected] = useState<string | undefined>(initial.widgets[0]?.id);
  const [problem, setProblem] = useState<string | null>(null);
  const save = useMutation(trpc.dashboards.upsert.mutationOptions({
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: trpc.dashboards.get.queryKey({ project, name: initial.name }) });
      onDone();
    },
    onError: (e) => setProblem(issuesOf(e).map((i) => `${i.path}: ${i.message}`).join("; ") || messageOf(e)),
  }));
  const preview = useMutation(trpc.dashboards.preview.mutationOptions());
  const sources = useQuery(trpc.dashboards.sources.queryOptions({ project }));
  const w = draft.widgets.find((x) => x.id === selected);
  const update = (id: string, fn: (w: WidgetParsed) => WidgetParsed) => setDraft((d) => ({ ...d, widgets: d.widgets.map((x) => (x.id === id ? fn(x) : x)) }));
  const move = (id: string, dx: number, dy: number, dw: number, dh: number) => update(id, (x) => {
    const wNew = Math.min(12, Math.max(1, x.layout.w + dw));
    const hNew = Math.min(12, Math.max(1, x.layout.h + dh));
    return { ...x, layout: { w: wNew, h: hNew, x: Math.min(12 - wNew, Math.max(0, x.layout.x + dx)), y: Math.max(0, x.layout.y + dy) } };
  });
  const add = (kind: WidgetParsed["kind"]) => {
    let n = draft.widgets.length + 1;
    while (draft.widgets.some((x) => x.id === `w${n}`)) n++;
    const y = Math.max(0, ...draft.widgets.map((x) => x.layout.y + x.layout.h));
    const nw = newWidget(kind, `w${n}`, y);
    setDraft((d) => ({ ...d, widgets: [...d.widgets, nw] }));
    setSelected(nw.id);
  };
  const [pickTable, setPickTable] = useState("");
  const [pickSide, setPickSide] = useState("");
  const [pickGroup, setPickGroup] = useState("");
  const [pickMeasure, setPickMeasure] = useState("");
  const source = sources.data?.find((s) => s.metaTable === pickTable);
  const side = source?.sides.find((s) => s.side === pickSide) ?? source?.sides[0];
  const built = side && pickMeasure
    ? `SELECT ${pickGroup ? `CAST(${physical(side, pickGroup)} AS VARCHAR) AS ${pickGroup}, ` : ""}SUM(${physical(side, pickMeasure)}) AS ${pickMeasure} FROM ${side.table}${side.columns.some((c) => c.name === "dt") ? ` WHERE ${physical(side, "dt")} = \${bizdate}` : ""}${pickGroup ? ` GROUP BY 1 ORDER BY 2 DESC` : ""}`
    : "";

  return (
    <>
      <PageHeader
        title={`Edit ${initial.title || initial.name}`}
        description="Add widgets, move and resize them on the 12-column grid, write each one's query (or build it from a meta-table) and preview it. Saving replaces the dashboard."
        actions={(
          <>
            <Button onClick={onDone}>Cancel</Button>
            <Button variant="primary" disabled={save.isPending} onClick={() => { setProblem(null); save.mutate({ project, dashboard: draft, expectedVersion: version }); }}>Save</Button>
          </>
        )}
      />
      {problem && <p role="alert" className="mb-3 rounded border border-rose-200 bg-rose-50 p-2 text-sm text-rose-700">{problem}</p>}
      <div className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_26rem]">
        <div>
          <div className="mb-3 flex flex-wrap items-center gap-2 text-sm">
            <label className="flex items-center gap-2">Title <input aria-label="Dashboard title" className={`${inputClass} w-56`} value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} /></label>
            <label className="flex items-center gap-2">Refresh (s) <input aria-label="Refresh seconds" type="number" min={1} max={3600} className={`${inputClass} w-20`} value={draft.refreshSeconds} onChange={(e) => setDraft({ ...draft, refreshSeconds: Number(e.target.value) || 1 })} /></label>
            <label className="flex items-center gap-2" title="The zone whose calendar day 'today' is: the zone your jobs compute dt in">Time zone <input aria-label="Time zone" className={`${inputClass} w-40 font-mono`} placeholder="UTC" value={draft.params.timeZone ?? ""} onChange={(e) => setDraft({ ...draft, params: { ...draft.params, timeZone: e.target.value.trim() || undefined } })} /></label>
            <span className="ml-2 text-slate-500">Add:</span>
            {(["number", "line", "bar", "table", "comparison"] as const).map((k) => <Button key={k} size="sm" onClick={() => add(k)}>{k === "number" ? "Big number" : k === "table" ? "Top-N table" : k === "comparison" ? "Stream vs batch" : k === "line" ? "Line" : "Bar"}</Button>)}
          </div>
          <div className="grid gap-2 rounded-lg border border-dashed border-slate-300 bg-slate-50 p-2" style={{ gridTemplateColumns: "repeat(12, minmax(0, 1fr))", gridAutoRows: "40px" }}>
            {draft.widgets.map((x) => (
              <button
                type="button"
                key={x.id}
                onClick={() => setSelected(x.id)}
                style={{ gridColumn: `${x.layout.x + 1} / span ${x.layout.w}`, gridRow: `${x.layout.y + 1} / span ${x.layout.h}` }}
                className={cx("min-w-0 overflow-hidden rounded border p-2 text-left text-xs", x.id === selected ? "border-indigo-500 bg-indigo-50 text-indigo-900" : "border-slate-200 bg-white text-slate-700")}
              >
                <div className="truncate font-medium">{x.title || x.id}</div>
                <div className="truncate text-slate-500">{x.kind} · {x.layout.w}×{x.layout.h}</div>
              </button>
            ))}
            {draft.widgets.length === 0 && <p className="col-span-12 p-4 text-sm text-slate-500">No widgets: add one above.</p>}
          </div>
        </div>
        <aside className="rounded-lg border border-slate-200 bg-white p-3 text-sm">
          {!w ? <p className="text-slate-500">Select a widget to change it.</p> : (
            <div className="flex flex-col gap-3">
              <div className="flex flex-wrap items-center gap-1">
                <span className="mr-1 text-slate-500">Move</span>
                <Button size="sm" aria-label="Move left" onClick={() => move(w.id, -1, 0, 0, 0)}>←</Button>
                <Button size="sm" aria-label="Move right" onClick={() => move(w.id, 1, 0, 0, 0)}>→</Button>
                <Button size="sm" aria-label="Move up" onClick={() => move(w.id, 0, -1, 0, 0)}>↑</Button>
                <Button size="sm" aria-label="Move down" onClick={() => move(w.id, 0, 1, 0, 0)}>↓</Button>
                <span className="ml-2 mr-1 text-slate-500">Size</span>
                <Button size="sm" aria-label="Narrower" onClick={() => move(w.id, 0, 0, -1, 0)}>−W</Button>
                <Button size="sm" aria-label="Wider" onClick={() => move(w.id, 0, 0, 1, 0)}>+W</Button>
                <Button size="sm" aria-label="Shorter" onClick={() => move(w.id, 0, 0, 0, -1)}>−H</Button>
                <Button size="sm" aria-label="Taller" onClick={() => move(w.id, 0, 0, 0, 1)}>+H</Button>
              </div>
              <label className="flex flex-col gap-1">Title<input className={inputClass} value={w.title} onChange={(e) => update(w.id, (x) => ({ ...x, title: e.target.value }))} /></label>
              <label className="flex flex-col gap-1">Format
                <select className={inputClass} value={w.format} onChange={(e) => update(w.id, (x) => ({ ...x, format: e.target.value as WidgetParsed["format"] }))}>
                  <option value="number">number</option><option value="cents">money (cents)</option><option value="percent">percent</option>
                </select>
              </label>
              {w.kind === "comparison" ? (
                <>
                  <label className="flex flex-col gap-1">Mixed meta-table
                    <select className={inputClass} value={w.metaTable} onChange={(e) => update(w.id, (x) => ({ ...x, metaTable: e.target.value }))}>
                      {(sources.data ?? []).filter((s) => s.sides.length === 2).map((s) => <option key={s.metaTable} value={s.metaTable}>{s.metaTable}</option>)}
                    </select>
                  </label>
                  <label className="flex flex-col gap-1">Measure (an aggregate over its columns)<input className={monoInputClass} value={w.measure} onChange={(e) => update(w.id, (x) => ({ ...x, measure: e.target.value }))} /></label>
                </>
              ) : (
                <>
                  <fieldset className="flex flex-col gap-1 rounded border border-slate-200 p-2">
                    <legend className="px-1 text-xs text-slate-500">Build from a meta-table</legend>
                    <select aria-label="Meta-table" className={inputClass} value={pickTable} onChange={(e) => { setPickTable(e.target.value); setPickSide(""); }}>
                      <option value="">meta-table…</option>
                      {(sources.data ?? []).map((s) => <option key={s.metaTable} value={s.metaTable}>{s.metaTable}</option>)}
                    </select>
                    {source && (
                      <div className="grid grid-cols-3 gap-1">
                        <select aria-label="Side" className={inputClass} value={side?.side ?? ""} onChange={(e) => setPickSide(e.target.value)}>{source.sides.map((s) => <option key={s.side} value={s.side}>{s.side}</option>)}</select>
                        <select aria-label="Group by" className={inputClass} value={pickGroup} onChange={(e) => setPickGroup(e.target.value)}><option value="">no grouping</option>{side?.columns.map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}</select>
                        <select aria-label="Sum of" className={inputClass} value={pickMeasure} onChange={(e) => setPickMeasure(e.target.value)}><option value="">sum of…</option>{side?.columns.map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}</select>
                      </div>
                    )}
                    {built && <Button size="sm" onClick={() => update(w.id, (x) => (x.kind === "comparison" ? x : { ...x, sql: built }))}>Use this query</Button>}
                  </fieldset>
                  <label className="flex flex-col gap-1">Query (<code className="font-mono text-xs">{"${bizdate}"}</code>, <code className="font-mono text-xs">{"${campaign}"}</code>)
                    <textarea rows={6} className={monoInputClass} value={w.sql} onChange={(e) => update(w.id, (x) => (x.kind === "comparison" ? x : { ...x, sql: e.target.value }))} />
                  </label>
                </>
              )}
              <div className="flex gap-2">
                <Button size="sm" variant="primary" disabled={preview.isPending} onClick={() => preview.mutate({ project, dashboard: draft, widget: w.id })}>Preview</Button>
                <Button size="sm" variant="danger" onClick={() => { setDraft((d) => ({ ...d, widgets: d.widgets.filter((x) => x.id !== w.id) })); setSelected(undefined); }}>Remove</Button>
              </div>
              {preview.isError && <p role="alert" className="text-rose-700">{issuesOf(preview.error).map((i) => i.message).join("; ") || messageOf(preview.error)}</p>}
              {preview.data?.data && preview.data.id === w.id && (
                <div className="h-56 rounded border border-slate-200 p-2"><WidgetBody widget={w} datum={preview.data.data} dark={false} /></div>
              )}
            </div>
          )}
        </aside>
      </div>
    </>
  );
}

function physical(side: { columns: { name: string; physical: string }[] }, name: string): string {
  return side.columns.find((c) => c.name === name)?.physical ?? name;
}

