import type { WidgetParsed } from "../../../../../server/dashboards/schema";

/** A widget's value as shown: money stored in cents as yuan, a ratio as a percentage, else a grouped number. */
export function formatValue(v: number | null, format: WidgetParsed["format"]): string {
  if (v === null) return "–";
  if (format === "cents") return (v / 100).toLocaleString("en-US", { style: "currency", currency: "CNY", maximumFractionDigits: 0 });
  if (format === "percent") return `${(v * 100).toFixed(1)} %`;
  return v.toLocaleString("en-US", { maximumFractionDigits: 2 });
}
