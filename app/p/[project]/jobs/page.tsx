"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { use } from "react";
import { Badge, EmptyState, ErrorState, PageHeader, SkeletonRows } from "../../../_components/ui";
import { relativeTime } from "../../../_lib/format";
import { useTRPC } from "../../../_lib/trpc/client";

// The project's jobs: the saved (development) version next to what production runs.

export default function JobsPage({ params }: { params: Promise<{ project: string }> }) {
  const project = decodeURIComponent(use(params).project);
  const base = `/p/${encodeURIComponent(project)}`;
  const trpc = useTRPC();
  const list = useQuery(trpc.jobs.list.queryOptions({ project }));

  return (
    <>
      <PageHeader
        title="Jobs"
        description="One SQL over meta-tables, run as a stream job and a daily batch job. Owners deploy a saved job to production; every deployment is a version you can roll back to."
      />
      {list.isPending ? <SkeletonRows rows={3} /> : list.isError ? <ErrorState error={list.error} onRetry={() => void list.refetch()} /> : list.data.length === 0 ? (
        <EmptyState title="No jobs yet">
          Declare jobs in the project file (<code className="font-mono text-xs">jobs:</code>) and run <code className="font-mono text-xs">tandem apply -f</code>.
        </EmptyState>
      ) : (
        <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-xs">
          <table className="w-full text-sm" aria-label="Jobs">
            <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2.5">Name</th>
                <th scope="col" className="px-4 py-2.5">Production</th>
                <th scope="col" className="px-4 py-2.5">Saved</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {list.data.map((j) => (
                <tr key={j.name} className="hover:bg-slate-50">
                  <td className="px-4 py-2.5">
                    <Link href={`${base}/jobs/${encodeURIComponent(j.name)}`} className="font-medium text-indigo-700 hover:underline">{j.name}</Link>
                    {j.description ? <p className="max-w-xl truncate text-xs text-slate-500">{j.description}</p> : null}
                  </td>
                  <td className="px-4 py-2.5">
                    {j.production ? (
                      <span className="flex items-center gap-2">
                        <Badge tone="emerald">v{j.production.version}</Badge>
                        <span className="text-xs text-slate-500">{j.production.deployedBy}, <time dateTime={j.production.deployedAt.toISOString()}>{relativeTime(j.production.deployedAt)}</time></span>
                      </span>
                    ) : <span className="text-slate-400">Not deployed</span>}
                  </td>
                  <td className="px-4 py-2.5 text-slate-500">
                    <time dateTime={j.updatedAt.toISOString()}>{relativeTime(j.updatedAt)}</time>
                    {j.production && j.changedSinceDeploy ? <span className="ml-2"><Badge tone="amber">changes not deployed</Badge></span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
