"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { use, useMemo, useState } from "react";
import { DataTable, useSetSearchParams, type DataColumn } from "../../../_components/data-table";
import { instanceHref, StateBadge } from "../../../_components/instance-state";
import { Badge, Button, ConfirmDialog, EmptyState, ErrorState, inputBase, inputClass, PageHeader, SkeletonRows } from "../../../_components/ui";
import type { RouterOutputs } from "../../../_lib/api-types";
import { issuesOf, messageOf } from "../../../_lib/issues";
import { useTRPC } from "../../../_lib/trpc/client";

/** The SQL a new job starts with: a shape to edit, not a job that runs. */
const STARTER_SQL = "-- One statement, two jobs: the stream side runs live, the batch side once a day for ${bizdate}.\nINSERT INTO <sink_meta_table>\nSELECT\n  \nFROM <meta_table>\nWHERE dt = '${bizdate}' OR __mode = 'stream';\n";

// The project's jobs as operators see them: production version, stream status and lag, the newest batch
// instance, health score and owner, in the shared virtualized table (sort and filter in the URL).

type JobRow = RouterOutputs["jobs"]["overview"][number];
const SHOW = ["all", "production", "not-deployed", "attention"] as const;
type Show = (typeof SHOW)[number];

function healthTone(score: number): "emerald" | "amber" | "rose" {
  return score >= 80 ? "emerald" : score >= 60 ? "amber" : "rose";
}

function columns(base: string): DataColumn<JobRow>[] {
  return [
    {
      id: "name", accessorKey: "name", header: "Name", size: 240,
      cell: ({ row }) => (
        <Link href={`${base}/jobs/${encodeURIComponent(row.original.name)}`} title={row.original.description || row.original.name} className="font-medium text-indigo-700 hover:underline">{row.original.name}</Link>
      ),
    },
    {
      id: "production", header: "Production", size: 150, accessorFn: (j) => j.version ?? -1, sortUndefined: "last",
      cell: ({ row: { original: j } }) => j.version !== null ? (
        <span className="flex items-center gap-1.5">
          <Badge tone="emerald">v{j.version}</Badge>
          {j.changedSinceDeploy ? <Badge tone="amber" title="The saved SQL differs from production">changed</Badge> : null}
        </span>
      ) : <span className="text-slate-400">{j.undeployed ? "Undeployed" : "Not deployed"}</span>,
    },
    {
      id: "stream", header: "Stream", size: 170, accessorFn: (j) => j.stream?.state ?? "",
      cell: ({ row: { original: j } }) => j.stream ? (
        <span className="flex items-center gap-1.5">
          <Badge tone={j.stream.state === "running" ? "emerald" : j.stream.state === "failed" ? "rose" : "amber"}>{j.stream.state}</Badge>
          {j.stream.lag !== null ? <span className="text-xs text-slate-500 tabular-nums" title="Lag">lag {j.stream.lag.toLocaleString("en")}{j.stream.lagUnit ? ` ${j.stream.lagUnit}` : ""}</span> : null}
        </span>
      ) : <span className="text-slate-400">—</span>,
    },
    {
      id: "last", header: "Last batch instance", size: 190, accessorFn: (j) => j.lastInstance?.bizdate ?? "",
      cell: ({ row: { original: j } }) => j.lastInstance ? (
        <Link href={instanceHref(base, j.name, j.lastInstance.bizdate)} className="flex items-center gap-2 hover:underline">
          <StateBadge state={j.lastInstance.state} />
          <span className="font-mono text-xs text-slate-600">{j.lastInstance.bizdate}</span>
        </Link>
      ) : <span className="text-slate-400">—</span>,
    },
    {
      id: "health", header: "Health", size: 80, align: "right", accessorFn: (j) => j.health ?? -1,
      cell: ({ row: { original: j } }) => j.health !== null ? <Badge tone={healthTone(j.health)}>{j.health}</Badge> : <span className="text-slate-400">—</span>,
    },
    {
      id: "owner", header: "Owner", size: 130, accessorFn: (j) => j.owner ?? "",
      cell: ({ row: { original: j } }) => j.owner ? <span className="text-slate-600">{j.owner}</span> : <span className="text-slate-400">—</span>,
    },
  ];
}

function shown(rows: JobRow[], show: Show): JobRow[] {
  if (show === "production") return rows.filter((j) => j.version !== null);
  if (show === "not-deployed") return rows.filter((j) => j.version === null);
  if (show === "attention") return rows.filter((j) => (j.health !== null && j.health < 80) || j.lastInstance?.state === "failed" || j.stream?.state === "failed" || j.stream?.state === "restarting");
  return rows;
}

export default function JobsPage({ params }: { params: Promise<{ project: string }> }) {
  const project = decodeURIComponent(use(params).project);
  const base = `/p/${encodeURIComponent(project)}`;
  const trpc = useTRPC();
  const list = useQuery(trpc.jobs.overview.queryOptions({ project }, { refetchInterval: 30_000 }));
  const router = useRouter();
  const queryClient = useQueryClient();
  const search = useSearchParams();
  const setParams = useSetSearchParams();
  const show = SHOW.find((s) => s === search.get("show")) ?? "all";
  const cols = useMemo(() => columns(base), [base]);
  const data = useMemo(() => shown(list.data ?? [], show), [list.data, show]);
  const [creating, setCreating] = useState(false);
  const [newName, setNewName] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation(trpc.jobs.create.mutationOptions({
    onSuccess: async (spec) => {
      await queryClient.invalidateQueries({ queryKey: trpc.jobs.overview.queryKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.jobs.pathKey() }); // every jobs query, in the background (some ask the orchestrator)
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
        <DataTable
          label="Jobs" data={data} columns={cols} getRowId={(j) => j.name} filterPlaceholder="Filter by name, owner, state…"
          toolbar={(
            <select aria-label="Show" value={show} onChange={(e) => setParams({ show: e.target.value === "all" ? null : e.target.value })} className={inputBase}>
              <option value="all">All jobs</option>
              <option value="production">In production</option>
              <option value="not-deployed">Not deployed</option>
              <option value="attention">Needs attention</option>
            </select>
          )}
        />
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
