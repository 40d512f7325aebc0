import { Badge } from "./ui";

// Batch instance states, one colour each, shared by the jobs list, the calendar and the instance page.

export const STATE_ORDER = ["waiting", "queued", "running", "succeeded", "failed", "skipped", "cancelled"] as const;

type Tone = "slate" | "indigo" | "emerald" | "amber" | "rose" | "sky";

export const STATE_TONE: Record<string, Tone> = {
  waiting: "amber", queued: "sky", running: "indigo", succeeded: "emerald", failed: "rose", skipped: "slate", cancelled: "slate",
};

/** Calendar cell fill per state (palette classes, so a theme can remap them). */
export const STATE_CELL: Record<string, string> = {
  waiting: "bg-amber-300",
  queued: "bg-sky-300",
  running: "bg-indigo-500 animate-pulse",
  succeeded: "bg-emerald-500",
  failed: "bg-rose-500",
  skipped: "bg-slate-300",
  cancelled: "bg-slate-400",
};

export function StateBadge({ state }: { state: string }) {
  return <Badge tone={STATE_TONE[state] ?? "slate"}>{state}</Badge>;
}

/** yyyyMMdd → yyyy-MM-dd */
export function dashed(bizdate: string): string {
  return bizdate.length === 8 ? `${bizdate.slice(0, 4)}-${bizdate.slice(4, 6)}-${bizdate.slice(6)}` : bizdate;
}

export function instanceHref(base: string, job: string, bizdate: string): string {
  return `${base}/instances/${encodeURIComponent(job)}/${dashed(bizdate)}`;
}
