"use client";

import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

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
}

/** A palette colour from the page's CSS variables (Tailwind v4 `--color-*`), with a fallback. */
function cssColor(name: string, fallback: string): string {
  if (typeof window === "undefined") return fallback;
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

export default function Chart({ kind, x, series, dark, large }: ChartProps) {
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
    if (!c) return;
    const text = dark ? cssColor("--color-slate-300", "#cbd5e1") : cssColor("--color-slate-600", "#475569");
    const line = dark ? cssColor("--color-slate-700", "#334155") : cssColor("--color-slate-200", "#e2e8f0");
    const colors = [cssColor("--color-indigo-500", "#6366f1"), cssColor("--color-emerald-500", "#10b981"), cssColor("--color-amber-500", "#f59e0b"), cssColor("--color-sky-500", "#0ea5e9"), cssColor("--color-rose-500", "#f43f5e")];
    const fontSize = large ? 18 : 11;
    c.setOption({
      animation: false,
      color: colors,
      grid: { left: 8, right: 16, top: series.length > 1 ? (large ? 44 : 28) : 12, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      legend: series.length > 1 ? { top: 0, textStyle: { color: text, fontSize } } : { show: false },
      xAxis: { type: "category", data: x, axisLabel: { color: text, fontSize }, axisLine: { lineStyle: { color: line } } },
      yAxis: { type: "value", axisLabel: { color: text, fontSize }, splitLine: { lineStyle: { color: line } } },
      series: series.map((s) => ({ name: s.name, type: kind, data: s.values, showSymbol: false, smooth: kind === "line" })),
    }, { notMerge: true });
  }, [kind, x, series, dark, large]);

  return <div ref={el} className="h-full w-full" />;
}
