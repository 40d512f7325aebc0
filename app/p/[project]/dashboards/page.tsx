"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { use, useState } from "react";
import { Button, EmptyState, ErrorState, inputClass, PageHeader, SkeletonRows } from "../../../_components/ui";
import { relativeTime } from "../../../_lib/format";
import { issuesOf, messageOf } from "../../../_lib/issues";
import { useTRPC } from "../../../_lib/trpc/client";

// The project's dashboards: live campaign screens over the stream sinks, with the batch numbers beside them.

export default function DashboardsPage({ params }: { params: Promise<{ project: string }> }) {
  const project = decodeURIComponent(use(params).project);
  const base = `/p/${encodeURIComponent(project)}/dashboards`;
  const trpc = useTRPC();
  const list = useQuery(trpc.dashboards.list.queryOptions({ project }));
  const router = useRouter();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [newName, setNewName] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation(trpc.dashboards.upsert.mutationOptions({
    onSuccess: async (d) => {
      await queryClient.invalidateQueries({ queryKey: trpc.dashboards.list.queryKey() });
      router.push(`${base}/${encodeURIComponent(d.name)}?edit=1`);
    },
    onError: (e) => setProblem(issuesOf(e).map((i) => i.message).join("; ") || messageOf(e)),
  }));

  return (
    <>
      <PageHeader
        title="Dashboards"
        description="Live campaign screens from the stream job's sinks, refreshed every second or two, with yesterday's exact batch numbers beside the live ones."
        actions={<Button variant="primary" onClick={() => setCreating(true)}>New dashboard</Button>}
      />
      {creating && (
        <form className="mb-4 flex flex-wrap items-center gap-2 rounded-lg border border-slate-200 bg-white p-3" onSubmit={(e) => { e.preventDefault(); setProblem(null); create.mutate({ project, dashboard: { name: newName, title: newName, widgets: [] }, expectedVersion: 0 }); }}>
          <label htmlFor="new-dashboard" className="text-sm text-slate-600">Name</label>
          <input id="new-dashboard" className={`${inputClass} max-w-xs`} value={newName} onChange={(e) => setNewName(e.target.value)} placeholder="campaign_screen" autoFocus />
          <Button type="submit" variant="primary" disabled={!newName || create.isPending}>Create</Button>
          <Button type="button" onClick={() => { setCreating(false); setProblem(null); }}>Cancel</Button>
          {problem && <p role="alert" className="w-full text-sm text-rose-700">{problem}</p>}
        </form>
      )}
      {list.isPending ? <SkeletonRows rows={3} /> : list.isError ? <ErrorState error={list.error} onRetry={() => void list.refetch()} /> : list.data.length === 0 ? (
        <EmptyState title="No dashboards yet">
          Create one with <strong>New dashboard</strong>, or declare them in the project file (<code className="font-mono text-xs">dashboards:</code>) and run <code className="font-mono text-xs">tandem apply -f</code>.
        </EmptyState>
      ) : (
        <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-xs">
          <table className="w-full text-sm" aria-label="Dashboards">
            <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2.5">Dashboard</th>
                <th scope="col" className="px-4 py-2.5">Widgets</th>
                <th scope="col" className="px-4 py-2.5">Refresh</th>
                <th scope="col" className="px-4 py-2.5">Changed</th>
                <th scope="col" className="px-4 py-2.5"><span className="sr-only">Big screen</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {list.data.map((d) => (
                <tr key={d.name} className="hover:bg-slate-50">
                  <td className="px-4 py-2.5">
                    <Link href={`${base}/${encodeURIComponent(d.name)}`} className="font-medium text-indigo-700 hover:underline">{d.title || d.name}</Link>
                    {d.description && <div className="text-xs text-slate-500">{d.description}</div>}
                  </td>
                  <td className="px-4 py-2.5 tabular-nums text-slate-700">{d.widgets}</td>
                  <td className="px-4 py-2.5 tabular-nums text-slate-700">every {d.refreshSeconds} s</td>
                  <td className="px-4 py-2.5 text-slate-500">{relativeTime(d.updatedAt)}</td>
                  <td className="px-4 py-2.5 text-right"><Link href={`${base}/${encodeURIComponent(d.name)}?screen=1`} className="text-sm text-indigo-700 hover:underline">Big screen</Link></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
