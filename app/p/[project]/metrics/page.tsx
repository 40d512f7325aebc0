"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { use } from "react";
import { Badge, EmptyState, ErrorState, LinkButton, PageHeader, SkeletonRows } from "../../../_components/ui";
import { relativeTime } from "../../../_lib/format";
import { useTRPC } from "../../../_lib/trpc/client";

// The project's metric tasks: configured in the builder, each generating one or more ordinary jobs.

const PERIOD_LABEL: Record<string, string> = { day: "day", hour: "hour", "15min": "15 min", "5min": "5 min", campaign: "campaign to date" };

export default function MetricTasksPage({ params }: { params: Promise<{ project: string }> }) {
  const project = decodeURIComponent(use(params).project);
  const base = `/p/${encodeURIComponent(project)}`;
  const trpc = useTRPC();
  const list = useQuery(trpc.metrics.list.queryOptions({ project }));
  return (
    <>
      <PageHeader
        title="Metrics"
        description="Counts, sums and distinct counts over periods and dimensions, configured in a form. Each task generates Flink SQL that runs as a stream job and a batch job like any hand-written job."
        actions={<LinkButton variant="primary" href={`${base}/metrics/new`}>New metric task</LinkButton>}
      />
      {list.isPending ? <SkeletonRows rows={3} /> : list.isError ? <ErrorState error={list.error} onRetry={() => void list.refetch()} /> : list.data.length === 0 ? (
        <EmptyState title="No metric tasks yet" action={<LinkButton variant="primary" href={`${base}/metrics/new`}>New metric task</LinkButton>}>
          Pick a source meta-table, the metrics, periods and dimensions; the builder writes the job.
        </EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-xs">
          <table className="w-full text-sm" aria-label="Metric tasks">
            <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2.5">Task</th>
                <th scope="col" className="px-4 py-2.5">Source</th>
                <th scope="col" className="px-4 py-2.5">Metrics</th>
                <th scope="col" className="px-4 py-2.5">Periods</th>
                <th scope="col" className="px-4 py-2.5">Jobs</th>
                <th scope="col" className="px-4 py-2.5">Saved</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {list.data.map((t) => (
                <tr key={t.name} className="hover:bg-slate-50">
                  <td className="px-4 py-2.5">
                    <Link href={`${base}/metrics/${encodeURIComponent(t.name)}`} className="font-medium text-indigo-700 hover:underline">{t.name}</Link>
                    {t.description ? <p className="max-w-xs truncate text-xs text-slate-500">{t.description}</p> : null}
                  </td>
                  <td className="px-4 py-2.5 font-mono text-xs text-slate-700">{t.source}</td>
                  <td className="px-4 py-2.5 tabular-nums text-slate-700">{t.metrics}</td>
                  <td className="px-4 py-2.5"><span className="flex flex-wrap gap-1">{t.periods.map((p) => <Badge key={p} tone="sky">{PERIOD_LABEL[p] ?? p}</Badge>)}</span></td>
                  <td className="px-4 py-2.5">
                    <span className="flex flex-wrap gap-x-2">
                      {t.jobs.map((j) => <Link key={j} href={`${base}/jobs/${encodeURIComponent(j)}`} className="font-mono text-xs text-indigo-700 hover:underline">{j}</Link>)}
                    </span>
                  </td>
                  <td className="px-4 py-2.5 whitespace-nowrap text-slate-500"><time dateTime={t.updatedAt}>{relativeTime(new Date(t.updatedAt))}</time></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
