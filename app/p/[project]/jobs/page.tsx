"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { use, useState } from "react";
import { Badge, Button, ConfirmDialog, EmptyState, ErrorState, inputClass, PageHeader, SkeletonRows } from "../../../_components/ui";
import { relativeTime } from "../../../_lib/format";
import { issuesOf, messageOf } from "../../../_lib/issues";
import { useTRPC } from "../../../_lib/trpc/client";

/** The SQL a new job starts with: a shape to edit, not a job that runs. */
const STARTER_SQL = "-- One statement, two jobs: the stream side runs live, the batch side once a day for ${bizdate}.\nINSERT INTO <sink_meta_table>\nSELECT\n  \nFROM <meta_table>\nWHERE dt = '${bizdate}' OR __mode = 'stream';\n";

// The project's jobs: the saved (development) version next to what production runs.

export default function JobsPage({ params }: { params: Promise<{ project: string }> }) {
  const project = decodeURIComponent(use(params).project);
  const base = `/p/${encodeURIComponent(project)}`;
  const trpc = useTRPC();
  const list = useQuery(trpc.jobs.list.queryOptions({ project }));
  const router = useRouter();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [newName, setNewName] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation(trpc.jobs.create.mutationOptions({
    onSuccess: async (spec) => {
      await queryClient.invalidateQueries({ queryKey: trpc.jobs.list.queryKey() });
      router.push(`${base}/jobs/${encodeURIComponent(spec.name)}/studio`);
    },
    onError: (e) => setProblem(issuesOf(e).map((i) => i.message).join("; ") || messageOf(e)),
  }));
  const closeCreate = () => { setCreating(false); setNewName(""); setProblem(null); };

  return (
    <>
      <PageHeader
        title="Jobs"
        description="One SQL over meta-tables, run as a stream job and a daily batch job. Owners deploy a saved job to production; every deployment is a version you can roll back to."
        actions={<Button variant="primary" onClick={() => setCreating(true)}>New job</Button>}
      />
      {list.isPending ? <SkeletonRows rows={3} /> : list.isError ? <ErrorState error={list.error} onRetry={() => void list.refetch()} /> : list.data.length === 0 ? (
        <EmptyState title="No jobs yet">
          Create one with <strong>New job</strong> and write its SQL in the studio, or declare jobs in the project file (<code className="font-mono text-xs">jobs:</code>) and run <code className="font-mono text-xs">tandem apply -f</code>.
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
      <ConfirmDialog open={creating} tone="primary" title="New job" confirmLabel={create.isPending ? "Creating…" : "Create and open the studio"} busy={create.isPending}
        onConfirm={() => create.mutate({ project, spec: { name: newName.trim(), sql: STARTER_SQL } })} onCancel={closeCreate}>
        <label htmlFor="new-job-name" className="mb-1 block text-xs font-medium text-slate-600">Name</label>
        <input id="new-job-name" autoFocus value={newName} onChange={(e) => setNewName(e.target.value)} placeholder="coupon_hourly_stats" className={inputClass} />
        <p className="mt-1 text-xs text-slate-500">Lower case, digits and underscores; it names the job's schedule and instances.</p>
        {problem ? <p role="alert" className="mt-2 text-sm text-rose-700">{problem}</p> : null}
      </ConfirmDialog>
    </>
  );
}
