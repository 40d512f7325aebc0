"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { use, useState } from "react";
import { BackfillDialog } from "../../../../../_components/console-dialogs";
import { dashed, StateBadge } from "../../../../../_components/instance-state";
import { useToast } from "../../../../../_components/toast";
import { Badge, Button, Card, ConfirmDialog, EmptyState, ErrorState, inputClass, PageHeader, SkeletonRows } from "../../../../../_components/ui";
import { relativeTime } from "../../../../../_lib/format";
import { messageOf } from "../../../../../_lib/issues";
import { useTRPC } from "../../../../../_lib/trpc/client";

// One batch instance: its state and why, what it waits for (upstream partitions, linked to their tables),
// its metrics and log excerpt, its event log, and what an operator can do (rerun, cancel, mark success,
// rerun with downstream, backfill). It refreshes every two seconds until it is finished.

const FINISHED = new Set(["succeeded", "failed", "skipped", "cancelled"]);
/** The server's NotFoundError for a day that never ran. */
const MISSING = /does not exist|not found/i;
type Action = "rerun" | "cancel" | "markSuccess" | "rerunDownstream";
const ACTION_TEXT: Record<Action, { title: string; confirm: string; body: string; tone: "danger" | "primary" }> = {
  rerun: { title: "Rerun this day?", confirm: "Rerun", body: "It runs again as its next attempt, of the production version, once its upstream partitions are ready.", tone: "primary" },
  cancel: { title: "Cancel this instance?", confirm: "Cancel instance", body: "A waiting or queued instance stops at once; a running one is stopped on the engine.", tone: "danger" },
  markSuccess: { title: "Mark this instance successful?", confirm: "Mark success", body: "Its output partition is marked ready without running, which releases the jobs waiting for it. Do this only when the data is known to be right.", tone: "danger" },
  rerunDownstream: { title: "Rerun with downstream?", confirm: "Rerun with downstream", body: "This day runs again, then every job downstream of it for the same day, in dependency order (a one-day backfill).", tone: "primary" },
};

function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function Metric({ label, value }: { label: string; value: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="truncate text-sm font-medium text-slate-900 tabular-nums" title={value}>{value}</dd>
    </div>
  );
}

export default function InstancePage({ params }: { params: Promise<{ project: string; job: string; bizdate: string }> }) {
  const p = use(params);
  const project = decodeURIComponent(p.project);
  const job = decodeURIComponent(p.job);
  const bizdate = decodeURIComponent(p.bizdate);
  const base = `/p/${encodeURIComponent(project)}`;
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const ref = { project, job, bizdate };
  const detail = useQuery(trpc.instances.get.queryOptions(ref, {
    refetchInterval: (q) => (q.state.data && FINISHED.has(q.state.data.instance.state) ? false : 2000),
    retry: (n, e) => n < 2 && !MISSING.test(messageOf(e)),
  }));
  const instance = detail.data?.instance;
  const upstream = useQuery(trpc.instances.upstream.queryOptions({ ...ref, version: instance?.deploymentVersion }, {
    enabled: detail.isSuccess || detail.isError,
    refetchInterval: instance && !FINISHED.has(instance.state) ? 3000 : false,
    retry: false,
  }));
  const [asking, setAsking] = useState<Action | null>(null);
  const [reason, setReason] = useState("");
  const [backfill, setBackfill] = useState(false);
  const done = async (message: string) => {
    setAsking(null);
    setReason("");
    toast({ message, tone: "success" });
    await queryClient.invalidateQueries({ queryKey: trpc.instances.get.queryKey() });
    await queryClient.invalidateQueries({ queryKey: trpc.instances.list.queryKey() });
  };
  const onError = (e: unknown) => { setAsking(null); toast({ message: messageOf(e), tone: "error" }); };
  const rerun = useMutation(trpc.instances.rerun.mutationOptions({ onSuccess: (r) => done(`${job} ${bizdate}: attempt ${r.instance.attempt} is ${r.instance.state}`), onError }));
  const cancel = useMutation(trpc.instances.cancel.mutationOptions({ onSuccess: () => done(`Cancelling ${job} ${bizdate}`), onError }));
  const markSuccess = useMutation(trpc.instances.markSuccess.mutationOptions({ onSuccess: (r) => done(`Marked ${job} ${bizdate} successful${r.released.length ? `; released ${r.released.join(", ")}` : ""}`), onError }));
  const rerunDownstream = useMutation(trpc.instances.rerunDownstream.mutationOptions({ onSuccess: (r) => done(`Rerunning ${r.days} instance${r.days === 1 ? "" : "s"} from ${job} ${bizdate} downstream`), onError }));
  const markReady = useMutation(trpc.instances.markReady.mutationOptions({
    onSuccess: async (r) => {
      toast({ message: `${r.partition.table} ${r.partition.partition} is ready${r.released.length ? `; released ${r.released.join(", ")}` : ""}`, tone: "success" });
      await queryClient.invalidateQueries({ queryKey: trpc.instances.upstream.queryKey() });
      await queryClient.invalidateQueries({ queryKey: trpc.instances.get.queryKey() });
    },
    onError,
  }));
  const busy = rerun.isPending || cancel.isPending || markSuccess.isPending || rerunDownstream.isPending;
  const act = (a: Action) => {
    const withReason = { ...ref, ...(reason.trim() ? { reason: reason.trim() } : {}) };
    if (a === "rerun") rerun.mutate(withReason);
    else if (a === "cancel") cancel.mutate(withReason);
    else if (a === "markSuccess") markSuccess.mutate(withReason);
    else rerunDownstream.mutate(ref);
  };
  const notFound = detail.isError && MISSING.test(messageOf(detail.error));
  const state = instance?.state;
  const finished = state ? FINISHED.has(state) : false;
  const metrics = instance?.metrics;
  const ask = asking ? ACTION_TEXT[asking] : null;

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-xs text-slate-500">
        <Link href={`${base}/instances`} className="hover:underline">Instances</Link> / <Link href={`${base}/jobs/${encodeURIComponent(job)}`} className="hover:underline">{job}</Link>
      </nav>
      <PageHeader
        title={<span className="flex items-center gap-3">{job} <span className="font-mono text-base font-normal text-slate-500">{bizdate}</span>{state ? <StateBadge state={state} /> : null}</span>}
        description={instance ? `Attempt ${instance.attempt} of version ${instance.deploymentVersion}, ${instance.trigger}; scheduled ${relativeTime(instance.scheduledAt)}.` : undefined}
        actions={<>
          {instance && !finished ? <Button disabled={busy} onClick={() => setAsking("cancel")}>Cancel</Button> : null}
          {instance && (state === "failed" || state === "cancelled" || state === "skipped") ? <Button disabled={busy} onClick={() => setAsking("markSuccess")}>Mark success</Button> : null}
          {!instance || finished ? <Button disabled={busy} onClick={() => setAsking("rerunDownstream")}>Rerun with downstream</Button> : null}
          {!instance || finished ? <Button variant="primary" disabled={busy} onClick={() => setAsking("rerun")}>{instance ? "Rerun" : "Run this day"}</Button> : null}
          <Button onClick={() => setBackfill(true)}>Backfill…</Button>
        </>}
      />
      {detail.isPending ? <SkeletonRows rows={5} /> : notFound ? (
        <EmptyState title="No instance for this day" action={<Button variant="primary" onClick={() => setAsking("rerun")}>Run this day</Button>}>
          {job} has not run for {bizdate}. Run it now: it waits for its upstream partitions like a scheduled run.
        </EmptyState>
      ) : detail.isError ? <ErrorState error={detail.error} onRetry={() => void detail.refetch()} /> : instance ? (
        <div className="grid gap-4 lg:grid-cols-3">
          <div className="space-y-4 lg:col-span-2">
            {instance.error ? (
              <div role="alert" className="rounded-lg border border-rose-200 bg-rose-50 px-4 py-3 text-sm text-rose-800">
                <p className="font-medium">Why it failed</p>
                <p className="mt-0.5 font-mono text-xs break-words whitespace-pre-wrap">{instance.error}</p>
              </div>
            ) : null}
            <Card title="Event log" padded={false}>
              <ol aria-label="Event log" className="divide-y divide-slate-100">
                {detail.data.events.map((e, i) => (
                  <li key={i} className="grid grid-cols-[9rem_6.5rem_1fr] items-start gap-3 px-4 py-2 text-sm">
                    <time dateTime={e.at.toISOString()} title={e.at.toISOString()} className="font-mono text-xs text-slate-500 tabular-nums">{e.at.toLocaleTimeString("en-GB")} <span className="text-slate-400">{e.at.toISOString().slice(5, 10)}</span></time>
                    <span><StateBadge state={e.kind} /></span>
                    <span className="min-w-0 break-words text-slate-700">{e.message} <span className="text-xs text-slate-400">— {e.actor}, attempt {e.attempt}</span></span>
                  </li>
                ))}
              </ol>
            </Card>
            <Card title="Log">
              {metrics?.logExcerpt ? <pre aria-label="Instance log" className="max-h-80 overflow-auto rounded bg-slate-900 p-3 font-mono text-xs text-slate-100">{metrics.logExcerpt}</pre>
                : <p className="text-sm text-slate-500" aria-label="Instance log">{finished ? "The engine kept no log for this attempt; the event log above records each step." : "The log appears when the attempt finishes."}</p>}
            </Card>
          </div>
          <div className="space-y-4">
            <Card title="Waits for">
              {upstream.isPending ? <SkeletonRows rows={2} /> : upstream.isError ? <p className="text-sm text-rose-700">{messageOf(upstream.error)}</p> : upstream.data.length === 0 ? (
                <p className="text-sm text-slate-500">No upstream daily partition: it runs as soon as it is queued.</p>
              ) : (
                <ul aria-label="Upstream partitions" className="space-y-1.5 text-sm">
                  {upstream.data.map((u) => (
                    <li key={`${u.table} ${u.partition}`} className="flex flex-wrap items-center justify-between gap-x-2 gap-y-1">
                      <Link href={`${base}/tables/${encodeURIComponent(u.table)}`} className="min-w-0 truncate font-medium text-indigo-700 hover:underline" title={u.table}>{u.table}</Link>
                      <span className="ml-auto flex shrink-0 items-center gap-1.5"><span className="font-mono text-xs text-slate-500">{dashed(u.partition)}</span><Badge tone={u.ready ? "emerald" : "amber"}>{u.ready ? "ready" : "missing"}</Badge>
                        {u.ready ? null : <Button size="sm" aria-label={`Mark ${u.table} ${dashed(u.partition)} ready`} title="Mark this partition ready by hand (its data is there)" disabled={markReady.isPending} onClick={() => markReady.mutate({ project, table: u.table, partition: dashed(u.partition) })}>Mark ready</Button>}</span>
                    </li>
                  ))}
                </ul>
              )}
            </Card>
            <Card title="Metrics">
              <dl className="grid grid-cols-2 gap-3">
                <Metric label="Rows in" value={metrics ? metrics.rowsIn.toLocaleString("en") : "—"} />
                <Metric label="Rows out" value={metrics ? metrics.rowsOut.toLocaleString("en") : "—"} />
                <Metric label="Duration" value={metrics ? duration(metrics.durationMs) : instance.startedAt ? `running ${relativeTime(instance.startedAt)}` : "—"} />
                <Metric label="Engine job" value={instance.engineJobId ?? "—"} />
                <Metric label="Started" value={instance.startedAt ? instance.startedAt.toISOString().replace("T", " ").slice(0, 19) : "—"} />
                <Metric label="Ended" value={instance.endedAt ? instance.endedAt.toISOString().replace("T", " ").slice(0, 19) : "—"} />
              </dl>
              {metrics?.partitionsRead.length ? <p className="mt-3 text-xs text-slate-500">Read {metrics.partitionsRead.join(", ")}</p> : null}
            </Card>
          </div>
        </div>
      ) : null}
      <ConfirmDialog open={asking !== null} title={ask?.title ?? ""} confirmLabel={ask?.confirm ?? ""} tone={ask?.tone ?? "primary"} busy={busy}
        onConfirm={() => asking && act(asking)} onCancel={() => { setAsking(null); setReason(""); }}>
        <p>{ask?.body}</p>
        {asking && asking !== "rerunDownstream" ? (<>
          <label htmlFor="action-reason" className="mt-3 mb-1 block text-xs font-medium text-slate-600">Reason (optional, kept in the event log)</label>
          <input id="action-reason" value={reason} onChange={(e) => setReason(e.target.value)} className={inputClass} />
        </>) : null}
      </ConfirmDialog>
      {backfill ? <BackfillDialog project={project} open={backfill} onClose={() => setBackfill(false)} initial={{ job, from: bizdate, to: bizdate }} /> : null}
    </>
  );
}
