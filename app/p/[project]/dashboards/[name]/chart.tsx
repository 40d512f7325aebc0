"use client";

import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";
import type { WidgetParsed } from "../../../../../server/dashboards/schema";
import { formatValue } from "./format";

// echarts, loaded only by dashboard pages (next/dynamic): one chart instance per widget, updated in place
// with setOption on every refresh (no re-creation, so a screen that runs for days does not grow).

echarts.use([LineChart, BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface ChartProps {
  kind: "line" | "bar";
  x: string[];
  series: { name: string; values: (number | null)[] }[];
  dark: boolean;
  /** Large type (big-screen mode). */
  large: boolean;
  /** How values read on the axis and in the tooltip (cents as yuan, ratios as percentages). */
  format: WidgetParsed["format"];
}

/**
 * A palette colour from the CSS variables in effect at the chart (Tailwind v4 `--color-*`), with a fallback:
 * read at the chart's element, not the root, so a chart on the big screen (`.theme-fixed`, dark in both
 * themes) gets the fixed palette while one on a page follows the app's theme.
 */
function cssColor(at: Element, name: string, fallback: string): string {
  const v = getComputedStyle(at).getPropertyValue(name).trim();
  return v || fallback;
}

export default function Chart({ kind, x, series, dark, large, format }: ChartProps) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: "canvas" });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const c = chart.current;
    const at = el.current;
    if (!c || !at) return;
    const color = (name: string, fallback: string) => cssColor(at, name, fallback);
    const text = dark ? color("--color-slate-300", "#cbd5e1") : color("--color-slate-600", "#475569");
    const line = dark ? color("--color-slate-700", "#334155") : color("--color-slate-200", "#e2e8f0");
    const colors = [color("--color-indigo-500", "#6366f1"), color("--color-emerald-500", "#10b981"), color("--color-amber-500", "#f59e0b"), color("--color-sky-500", "#0ea5e9"), color("--color-rose-500", "#f43f5e")];
    const shown = (v: unknown) => (typeof v === "number" ? formatValue(v, format) : String(v));
    const fontSize = large ? 18 : 11;
    c.setOption({
      animation: false,
      color: colors,
      grid: { left: 8, right: 16, top: series.length > 1 ? (large ? 44 : 28) : 12, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", valueFormatter: shown },
      legend: series.length > 1 ? { top: 0, textStyle: { color: text, fontSize } } : { show: false },
      xAxis: { type: "category", data: x, axisLabel: { color: text, fontSize }, axisLine: { lineStyle: { color: line } } },
      yAxis: { type: "value", axisLabel: { color: text, fontSize, formatter: shown }, splitLine: { lineStyle: { color: line } } },
      series: series.map((s) => ({ name: s.name, type: kind, data: s.values, showSymbol: false, smooth: kind === "line" })),
    }, { notMerge: true });
  }, [kind, x, series, dark, large, format]);

  return <div ref={el} className="h-full w-full" />;
}
