"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Suspense, use } from "react";
import { Badge, EmptyState, ErrorState, inputBase, PageHeader, SkeletonRows } from "../../../_components/ui";
import type { RouterOutputs } from "../../../_lib/api-types";
import { relativeTime } from "../../../_lib/format";
import { useTRPC } from "../../../_lib/trpc/client";
import { useUrlParams } from "../../../_lib/url-params";

// Each deployed job's health score (100 less each finding's weight), its findings worst first, and for
// each the action to take with a link to the thing to fix. Filters (job, risk) in the URL.

type JobHealth = RouterOutputs["health"]["project"][number];
type Finding = JobHealth["findings"][number];

const RISKS = ["high", "medium", "low"] as const;
const RISK_TONE = { high: "rose", medium: "amber", low: "slate" } as const;

function scoreTone(score: number): "emerald" | "amber" | "rose" {
  return score >= 90 ? "emerald" : score >= 70 ? "amber" : "rose";
}

function targetLink(base: string, f: Finding): { href: string; label: string } | null {
  const t = f.target;
  if (!t) return null;
  if (t.kind === "instance") return { href: `${base}/instances/${encodeURIComponent(t.job)}/${t.bizdate}`, label: `Open the ${t.bizdate.replace(/^(\d{4})(\d{2})(\d{2})$/, "$1-$2-$3")} instance` };
  if (t.kind === "quality") {
    const q = new URLSearchParams({ table: t.table, ...(t.partition ? { partition: t.partition } : {}), ...(t.rule ? { rule: t.rule } : {}) });
    return { href: `${base}/quality?${q.toString()}`, label: t.rule ? `Open rule ${t.rule}` : `Open ${t.table}'s rules` };
  }
  return { href: `${base}/jobs/${encodeURIComponent(t.job)}`, label: "Open the job" };
}

export default function HealthPage({ params }: { params: Promise<{ project: string }> }) {
  const project = decodeURIComponent(use(params).project);
  return (
    <>
      <PageHeader title="Health" description="Each deployed job starts at 100 and loses 5 for a high-risk finding, 3 for a medium one, 1 for a low one. Findings cover the last 7 days of instances and the last 24 hours of stream, quality and reconciliation events." />
      <Suspense fallback={<SkeletonRows rows={4} />}>
        <HealthView project={project} />
      </Suspense>
    </>
  );
}

function HealthView({ project }: { project: string }) {
  const trpc = useTRPC();
  const url = useUrlParams();
  const base = `/p/${encodeURIComponent(project)}`;
  const health = useQuery(trpc.health.project.queryOptions({ project }, { refetchInterval: 30_000 }));
  const jobFilter = url.get("job") ?? "";
  const risk = RISKS.find((r) => r === url.get("risk")) ?? null;

  if (health.isPending) return <SkeletonRows rows={4} />;
  if (health.isError) return <ErrorState error={health.error} onRetry={() => void health.refetch()} />;
  if (health.data.length === 0) {
    return <EmptyState title="No deployed job">Health is scored for deployed jobs. Deploy one from its page, or with <code className="font-mono text-xs">tandem deploy --job</code>.</EmptyState>;
  }
  const jobs = health.data.filter((j) => !jobFilter || j.job.toLowerCase().includes(jobFilter.toLowerCase()));
  const findings = health.data.reduce((n, j) => n + j.findings.length, 0);
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <input type="search" aria-label="Filter jobs" placeholder="Filter jobs…" className={`${inputBase} w-60`} value={jobFilter} onChange={(e) => url.set({ job: e.target.value })} />
        <label className="flex items-center gap-1.5 text-sm text-slate-600">
          Risk
          <select aria-label="Risk" className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm" value={risk ?? ""} onChange={(e) => url.set({ risk: e.target.value })}>
            <option value="">any</option>
            {RISKS.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </label>
        <span className="ml-auto text-sm text-slate-500">{health.data.length} job{health.data.length === 1 ? "" : "s"}, {findings} finding{findings === 1 ? "" : "s"}</span>
      </div>
      {jobs.length === 0 ? <EmptyState title="No job matches the filter" /> : jobs.map((j) => (
        <JobCard key={j.job} base={base} health={j} risk={risk} />
      ))}
    </div>
  );
}

function JobCard({ base, health, risk }: { base: string; health: JobHealth; risk: (typeof RISKS)[number] | null }) {
  const findings = risk ? health.findings.filter((f) => f.risk === risk) : health.findings;
  return (
    <section aria-label={`Health of ${health.job}`} className="rounded-lg border border-slate-200 bg-white shadow-xs">
      <header className="flex flex-wrap items-center gap-3 border-b border-slate-200 px-4 py-2.5">
        <span className={`grid h-10 w-12 shrink-0 place-items-center rounded-md text-lg font-semibold tabular-nums ${scoreTone(health.score) === "emerald" ? "bg-emerald-50 text-emerald-700" : scoreTone(health.score) === "amber" ? "bg-amber-50 text-amber-800" : "bg-rose-50 text-rose-700"}`} aria-label={`score ${health.score}`} data-testid="health-score">{health.score}</span>
        <div className="min-w-0 flex-1">
          <Link href={`${base}/jobs/${encodeURIComponent(health.job)}`} className="font-mono text-sm font-medium text-indigo-700 hover:underline">{health.job}</Link>
          <p className="text-xs text-slate-500">{health.findings.length === 0 ? "No findings" : `${health.findings.length} finding${health.findings.length === 1 ? "" : "s"}`}</p>
        </div>
        {health.unavailable.length > 0 ? <Badge tone="amber" title={health.unavailable.join("\n")}>not everything could be checked</Badge> : null}
      </header>
      {health.unavailable.length > 0 ? <p className="border-b border-slate-100 bg-amber-50/60 px-4 py-1.5 text-xs text-amber-900">Could not check: {health.unavailable.join("; ")}</p> : null}
      {findings.length === 0 ? (
        <p className="px-4 py-3 text-sm text-slate-500">{health.findings.length === 0 ? "Nothing to do." : "No finding of this risk."}</p>
      ) : (
        <ul className="divide-y divide-slate-100" aria-label={`Findings of ${health.job}`}>
          {findings.map((f, i) => {
            const link = targetLink(base, f);
            return (
              <li key={`${f.code}-${i}`} className="grid grid-cols-[4.5rem_minmax(0,1fr)] gap-x-3 gap-y-1 px-4 py-2.5 text-sm md:grid-cols-[4.5rem_minmax(0,1fr)_minmax(0,1fr)]">
                <span><Badge tone={RISK_TONE[f.risk]}>{f.risk}</Badge></span>
                <div className="min-w-0">
                  <p className="break-words text-slate-800">{f.message}</p>
                  <p className="text-xs text-slate-500">{f.source} · <span className="font-mono">{f.code}</span>{f.at ? <> · <time dateTime={f.at.toISOString()}>{relativeTime(f.at)}</time></> : null}</p>
                </div>
                <div className="col-start-2 min-w-0 md:col-start-3">
                  <p className="break-words text-slate-600"><span className="font-medium text-slate-700">Action: </span>{f.action}</p>
                  {link ? <Link href={link.href} className="text-xs font-medium text-indigo-700 hover:underline">{link.label} →</Link> : null}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
