"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { RouterOutputs } from "../../_lib/api-types";
import { relativeTime } from "../../_lib/format";
import { messageOf } from "../../_lib/issues";
import { useTRPC } from "../../_lib/trpc/client";
import { instanceHref } from "../instance-state";
import { Badge, Card, SkeletonRows } from "../ui";

// The job page's operations cards: the stream side over the last hour, the batch side's schedule and recent
// instances, the health score with its findings, and the tables around the job (with their quality rules).

type HistoryPoint = RouterOutputs["jobs"]["streamHistory"][number];
type Job = RouterOutputs["jobs"]["get"];

const STATE_TONE = { waiting: "amber", queued: "sky", running: "sky", succeeded: "emerald", failed: "rose", skipped: "slate", cancelled: "slate" } as const;

/** A small line chart of one series over time; gaps where the value is null. */
function Sparkline({ points, label, unit }: { points: { t: number; v: number | null }[]; label: string; unit: string }) {
  const values = points.map((p) => p.v).filter((v): v is number => v !== null);
  const last = values.at(-1);
  const w = 260;
  const h = 48;
  if (values.length < 2) {
    return (
      <figure className="text-xs text-slate-500">
        <figcaption className="flex justify-between"><span>{label}</span><span className="font-mono text-slate-800">{last === undefined ? "-" : `${fmt(last)} ${unit}`}</span></figcaption>
        <p className="mt-1 rounded bg-slate-50 px-2 py-3 text-center">Not enough samples yet (one every 10 s while the stream side runs).</p>
      </figure>
    );
  }
  const t0 = points[0]!.t;
  const t1 = points.at(-1)!.t;
  const max = Math.max(...values, 1);
  const x = (t: number) => (t1 === t0 ? 0 : ((t - t0) / (t1 - t0)) * w);
  const y = (v: number) => h - 2 - (v / max) * (h - 4);
  let d = "";
  let pen = false;
  for (const p of points) {
    if (p.v === null) { pen = false; continue; }
    d += `${pen ? "L" : "M"}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`;
    pen = true;
  }
  return (
    <figure className="text-xs text-slate-500">
      <figcaption className="flex justify-between"><span>{label}</span><span className="font-mono text-slate-800">{last === undefined ? "-" : `${fmt(last)} ${unit}`}</span></figcaption>
      <svg role="img" aria-label={`${label} over the last hour, max ${fmt(max)} ${unit}`} viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none" className="mt-1 h-12 w-full rounded bg-slate-50 text-indigo-500">
        <path d={d} fill="none" stroke="currentColor" strokeWidth={1.5} vectorEffect="non-scaling-stroke" />
      </svg>
      <p className="flex justify-between text-[11px] text-slate-400"><span>{new Date(t0).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })}</span><span>max {fmt(max)}</span><span>now</span></p>
    </figure>
  );
}

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString("en") : n.toLocaleString("en", { maximumFractionDigits: 1 });
}

/** Lag and rows out per second over the last hour, from the samples the supervisor records. */
export function StreamHistory({ project, name }: { project: string; name: string }) {
  const trpc = useTRPC();
  const history = useQuery({ ...trpc.jobs.streamHistory.queryOptions({ project, name, minutes: 60 }), refetchInterval: 10_000 });
  if (history.isPending) return <SkeletonRows rows={2} />;
  if (history.isError) return <p role="alert" className="text-xs text-rose-700">Could not read the stream's history: {messageOf(history.error)}</p>;
  const pts: HistoryPoint[] = history.data;
  const lagUnit = pts.findLast((p) => p.lagUnit)?.lagUnit ?? "";
  return (
    <div className="space-y-3 border-t border-slate-100 pt-3" data-testid="stream-history">
      <Sparkline label="Lag" unit={lagUnit} points={pts.map((p) => ({ t: p.at.getTime(), v: p.lag }))} />
      <Sparkline label="Throughput (rows out)" unit="rows/s" points={pts.map((p) => ({ t: p.at.getTime(), v: p.outPerSecond }))} />
    </div>
  );
}

/** The batch side: its schedule, the next runs and the latest instances (each linked to its page). */
export function BatchCard({ project, job }: { project: string; job: Job }) {
  const trpc = useTRPC();
  const base = `/p/${encodeURIComponent(project)}`;
  const { cron, timezone, bizdateOffsetDays } = job.spec.batch;
  const next = useQuery(trpc.jobs.nextRuns.queryOptions({ project, cron, timezone, bizdateOffsetDays }));
  const recent = useQuery({ ...trpc.instances.list.queryOptions({ project, job: job.name, limit: 5 }), enabled: job.production !== null, refetchInterval: 10_000 });
  return (
    <Card title="Batch side" actions={<Link href={`${base}/instances?q=${encodeURIComponent(job.name)}`} className="text-xs font-medium text-indigo-700 hover:underline">Calendar</Link>}>
      <p className="font-mono text-[13px] text-slate-800">{cron} <span className="text-slate-500">({timezone})</span></p>
      <h3 className="mt-3 text-xs font-medium text-slate-500">Next runs</h3>
      {next.isPending ? <SkeletonRows rows={2} /> : next.isError ? <p role="alert" className="text-xs text-rose-700">{messageOf(next.error)}</p> : !next.data.ok ? <p role="alert" className="text-xs text-rose-700">{next.data.error}</p> : (
        <ul className="mt-1 space-y-0.5 text-sm">
          {next.data.runs.slice(0, 3).map((r) => (
            <li key={r.at.toISOString()} className="flex justify-between gap-2"><time dateTime={r.at.toISOString()} className="text-slate-700">{r.at.toLocaleString("en-GB", { timeZone: timezone, dateStyle: "medium", timeStyle: "short" })}</time><span className="font-mono text-xs text-slate-500">day {r.bizdate}</span></li>
          ))}
        </ul>
      )}
      <h3 className="mt-3 text-xs font-medium text-slate-500">Latest instances</h3>
      {job.production === null ? <p className="text-sm text-slate-500">Instances appear once the job is deployed.</p>
        : recent.isPending ? <SkeletonRows rows={2} /> : recent.isError ? <p role="alert" className="text-xs text-rose-700">{messageOf(recent.error)}</p>
        : recent.data.length === 0 ? <p className="text-sm text-slate-500">None yet: the first runs at the next firing above.</p> : (
          <ul className="mt-1 divide-y divide-slate-100 text-sm" aria-label="Latest instances">
            {recent.data.map((i) => (
              <li key={i.id} className="flex items-center justify-between gap-2 py-1">
                <Link href={instanceHref(base, job.name, i.bizdate)} className="font-mono text-xs text-indigo-700 hover:underline">{i.bizdate}</Link>
                <span className="flex items-center gap-2">
                  <Badge tone={STATE_TONE[i.state]}>{i.state}</Badge>
                  <span className="w-16 text-right text-xs text-slate-400">{relativeTime(i.endedAt ?? i.startedAt ?? i.scheduledAt)}</span>
                </span>
              </li>
            ))}
          </ul>
        )}
    </Card>
  );
}

const RISK_TONE = { high: "rose", medium: "amber", low: "slate" } as const;

/** The job's health score and its worst findings, each with what to do. */
export function HealthCard({ project, job }: { project: string; job: Job }) {
  const trpc = useTRPC();
  const health = useQuery({ ...trpc.health.job.queryOptions({ project, job: job.name }), enabled: job.deployments.length > 0, refetchInterval: 30_000 });
  const link = <Link href={`/p/${encodeURIComponent(project)}/health`} className="text-xs font-medium text-indigo-700 hover:underline">All jobs</Link>;
  if (job.deployments.length === 0) return <Card title="Health" actions={link}><p className="text-sm text-slate-500">Scored once the job is deployed.</p></Card>;
  if (health.isPending) return <Card title="Health" actions={link}><SkeletonRows rows={2} /></Card>;
  if (health.isError) return <Card title="Health" actions={link}><p role="alert" className="text-sm text-rose-700">{messageOf(health.error)}</p></Card>;
  const h = health.data;
  const tone = h.score >= 90 ? "text-emerald-700" : h.score >= 70 ? "text-amber-700" : "text-rose-700";
  return (
    <Card title="Health" actions={link}>
      <p className="flex items-baseline gap-2"><span className={`text-3xl font-semibold tabular-nums ${tone}`} data-testid="health-score">{h.score}</span><span className="text-sm text-slate-500">/ 100, {h.findings.length === 0 ? "no findings" : `${h.findings.length} finding${h.findings.length === 1 ? "" : "s"}`}</span></p>
      {h.findings.length > 0 ? (
        <ul className="mt-2 space-y-2 text-sm">
          {h.findings.slice(0, 4).map((f, i) => (
            <li key={`${f.code}-${i}`}>
              <p className="flex items-start gap-2"><Badge tone={RISK_TONE[f.risk]}>{f.risk}</Badge><span className="min-w-0 break-words text-slate-800">{f.message}</span></p>
              <p className="mt-0.5 pl-1 text-xs break-words text-slate-500">{f.action}</p>
            </li>
          ))}
        </ul>
      ) : null}
    </Card>
  );
}

/** What the production version reads and writes, each with its lineage and its quality rules. */
export function NeighboursCard({ project, job }: { project: string; job: Job }) {
  const base = `/p/${encodeURIComponent(project)}`;
  const current = job.deployments.find((d) => d.version === job.production?.version);
  if (!current) return null;
  const row = (t: string) => (
    <li key={t} className="flex items-center justify-between gap-2 py-1">
      <span className="min-w-0 truncate font-mono text-xs text-slate-800" title={t}>{t}</span>
      <span className="flex shrink-0 gap-2 text-xs">
        <Link href={`${base}/lineage?focus=${encodeURIComponent(`t:${t}`)}&sel=${encodeURIComponent(`t:${t}`)}`} className="text-indigo-700 hover:underline">lineage</Link>
        <Link href={`${base}/quality?table=${encodeURIComponent(t)}`} className="text-indigo-700 hover:underline">rules</Link>
      </span>
    </li>
  );
  return (
    <Card title="Reads and writes">
      <h3 className="text-xs font-medium text-slate-500">Upstream</h3>
      <ul className="divide-y divide-slate-100">{current.sources.map(row)}</ul>
      <h3 className="mt-3 text-xs font-medium text-slate-500">Downstream</h3>
      <ul className="divide-y divide-slate-100">{current.sinks.map(row)}</ul>
    </Card>
  );
}
