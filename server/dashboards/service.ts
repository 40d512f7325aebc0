import { loadCatalogSnapshot } from "../catalog/snapshot";
import type { Database, Tx } from "../../db/client";
import type { ProjectRef } from "../context";
import { NotFoundError } from "../errors";
import { DashboardData, dataVersion, resolveParams, type DashboardDeps, type WidgetResult } from "./data";
import { getDashboard, parseDashboard } from "./store";

// The data of a dashboard (or one widget) for a viewer. Many viewers of one screen poll the same
// widgets every second or two: results are shared for a short while (and while in flight), so N
// viewers cost one query per widget per interval, and a viewer that already holds a widget's version
// gets no data back for it.

export interface DataRequest {
  dashboard: string;
  /** One widget; every widget when absent. */
  widget?: string;
  bizdate?: string;
  campaign?: string;
  /** Widget id -> the version the caller holds. */
  known?: Record<string, string>;
}

export interface DashboardDataResult {
  dashboard: string;
  /** The dashboard's own version (a changed layout or query makes the client reload the spec). */
  specVersion: number;
  bizdate: string;
  campaign: string;
  widgets: WidgetResult[];
}

/** How long a computed widget result is shared between viewers. */
const SHARE_MS = 500;
const MAX_CACHED = 2000;
type Entry = { at: number; promise: Promise<Omit<WidgetResult, "id">> };
const cache = new Map<string, Entry>();

export async function dashboardData(ctx: { db: Database | Tx; project: ProjectRef }, deps: DashboardDeps, req: DataRequest, now: () => Date = () => new Date()): Promise<DashboardDataResult> {
  const d = await getDashboard(ctx, req.dashboard);
  const widgets = req.widget ? d.spec.widgets.filter((w) => w.id === req.widget) : d.spec.widgets;
  if (req.widget && widgets.length === 0) throw new NotFoundError("widget", req.widget, `dashboard '${d.name}' has no widget '${req.widget}'`);
  const params = resolveParams(d.spec, req, now());
  const catalog = await loadCatalogSnapshot(ctx.db, ctx.project);
  const data = new DashboardData(deps);
  const t = Date.now();
  for (const [k, e] of cache) if (t - e.at > SHARE_MS) cache.delete(k);
  const results = await Promise.all(widgets.map(async (w) => {
    const key = [ctx.project.id, d.name, d.version, w.id, params.bizdate.toString(), params.campaign].join("\u0000");
    let entry = cache.get(key);
    if (!entry) {
      entry = {
        at: t,
        promise: (async () => {
          const started = performance.now();
          const datum = await data.widget(catalog, w, params);
          return { version: dataVersion(datum), data: datum, elapsedMs: Math.round(performance.now() - started) };
        })(),
      };
      if (cache.size < MAX_CACHED) cache.set(key, entry);
    }
    const r = await entry.promise;
    const known = req.known?.[w.id];
    return known === r.version ? { id: w.id, version: r.version, elapsedMs: r.elapsedMs } : { id: w.id, ...r };
  }));
  return { dashboard: d.name, specVersion: d.version, bizdate: params.bizdate.format("yyyy-MM-dd"), campaign: params.campaign, widgets: results };
}

/** One widget of an unsaved dashboard (the editor's preview): validated like a saved one, never cached. */
export async function previewWidget(ctx: { db: Database | Tx; project: ProjectRef }, deps: DashboardDeps, input: { dashboard: unknown; widget: string; bizdate?: string; campaign?: string }, now: () => Date = () => new Date()): Promise<WidgetResult> {
  const spec = parseDashboard(input.dashboard);
  const w = spec.widgets.find((x) => x.id === input.widget);
  if (!w) throw new NotFoundError("widget", input.widget, `the dashboard has no widget '${input.widget}'`);
  const catalog = await loadCatalogSnapshot(ctx.db, ctx.project);
  const started = performance.now();
  const data = await new DashboardData(deps).widget(catalog, w, resolveParams(spec, input, now()));
  return { id: w.id, version: dataVersion(data), data, elapsedMs: Math.round(performance.now() - started) };
}

export interface WidgetSource {
  metaTable: string;
  description: string;
  /** Each side's physical table, with the meta-table's columns that map to a plain physical column. */
  sides: { side: "stream" | "batch" | "source"; table: string; columns: { name: string; physical: string }[] }[];
}

/** The meta-tables a widget can be built over (the editor's picker): their sides and plainly mapped columns. */
export async function widgetSources(ctx: { db: Database | Tx; project: ProjectRef }): Promise<WidgetSource[]> {
  const catalog = await loadCatalogSnapshot(ctx.db, ctx.project);
  return [...catalog.metaTables.values()].map((m) => ({
    metaTable: m.name,
    description: m.description,
    sides: (["stream", "batch", "source"] as const).flatMap((side) => {
      const b = m[side];
      if (!b) return [];
      const columns = Object.entries(b.mappings).filter((e): e is [string, string] => typeof e[1] === "string").map(([name, physical]) => ({ name, physical }));
      return [{ side, table: b.table, columns }];
    }),
  })).sort((a, b) => a.metaTable.localeCompare(b.metaTable));
}
