"use client";

import { useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { use, useMemo, useRef, useState } from "react";
import { BackfillDialog, RunDayDialog, todayDashed } from "../../../_components/console-dialogs";
import { useSetSearchParams } from "../../../_components/data-table";
import { dashed, instanceHref, STATE_CELL, STATE_ORDER } from "../../../_components/instance-state";
import { Button, cx, EmptyState, ErrorState, inputBase, PageHeader, SkeletonRows } from "../../../_components/ui";
import { useTRPC } from "../../../_lib/trpc/client";

// The instance calendar: days × jobs, each cell an instance coloured by its state, linked to its page. The
// range and the job filter are in the URL; it refreshes every few seconds while an instance is unfinished.

const DAY_MS = 86_400_000;
const MAX_DAYS = 62;
const CELL = 30;
const ROW = 32;

function isDay(s: string | null): s is string {
  return s !== null && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
}

function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end && out.length < MAX_DAYS; t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

const FINISHED = new Set(["succeeded", "failed", "skipped", "cancelled"]);

export default function CalendarPage({ params }: { params: Promise<{ project: string }> }) {
  const project = decodeURIComponent(use(params).project);
  const base = `/p/${encodeURIComponent(project)}`;
  const trpc = useTRPC();
  const router = useRouter();
  const search = useSearchParams();
  const setParams = useSetSearchParams();
  const fromParam = search.get("from");
  const toParam = search.get("to");
  const to = isDay(toParam) ? toParam : todayDashed(0);
  const from = isDay(fromParam) ? fromParam : new Date(Date.parse(`${to}T00:00:00Z`) - 13 * DAY_MS).toISOString().slice(0, 10);
  const filter = search.get("q") ?? "";
  const [running, setRunning] = useState(false);
  const [backfill, setBackfill] = useState(false);

  const instances = useQuery(trpc.instances.list.queryOptions(
    { project, from, to, limit: 5000 },
    { refetchInterval: (q) => (q.state.data?.some((i) => !FINISHED.has(i.state)) ? 2000 : 15_000) },
  ));
  const jobs = useQuery(trpc.jobs.list.queryOptions({ project }));
  const days = useMemo(() => (from <= to ? daysBetween(from, to) : []), [from, to]);
  const { rows, cells } = useMemo(() => {
    const cells = new Map<string, string>();
    const names = new Set<string>();
    for (const i of instances.data ?? []) {
      cells.set(`${i.job} ${dashed(i.bizdate)}`, i.state);
      names.add(i.job);
    }
    for (const j of jobs.data ?? []) if (j.production && !j.production.undeployedAt) names.add(j.name);
    const needle = filter.toLowerCase();
    return { rows: [...names].filter((n) => n.toLowerCase().includes(needle)).sort(), cells };
  }, [instances.data, jobs.data, filter]);

  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 10 });
  const items = virtual.getVirtualItems();
  const top = items[0]?.start ?? 0;
  const bottom = virtual.getTotalSize() - (items[items.length - 1]?.end ?? 0);
  const shift = (n: number) => {
    const move = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
    setParams({ from: move(from), to: move(to) });
  };

  return (
    <>
      <PageHeader
        title="Instances"
        description="Each job's daily batch instances by bizdate. Click a cell for its event log, what it waits for and its actions."
        actions={<>
          <Button onClick={() => setRunning(true)}>Run a bizdate</Button>
          <Button variant="primary" onClick={() => setBackfill(true)}>Backfill</Button>
        </>}
      />
      <div className="mb-3 flex flex-wrap items-center gap-2">
        <Button size="sm" onClick={() => shift(-7)} aria-label="Previous week">←</Button>
        <label className="flex items-center gap-1 text-xs text-slate-600">From
          <input type="date" aria-label="From" value={from} onChange={(e) => isDay(e.target.value) && setParams({ from: e.target.value })} className={inputBase} />
        </label>
        <label className="flex items-center gap-1 text-xs text-slate-600">To
          <input type="date" aria-label="To" value={to} onChange={(e) => isDay(e.target.value) && setParams({ to: e.target.value })} className={inputBase} />
        </label>
        <Button size="sm" onClick={() => shift(7)} aria-label="Next week">→</Button>
        <input type="search" aria-label="Filter jobs" placeholder="Filter jobs…" defaultValue={filter} onChange={(e) => setParams({ q: e.target.value || null })} className={cx(inputBase, "w-56")} />
        <ul aria-label="Legend" className="ml-auto flex flex-wrap items-center gap-3 text-xs text-slate-600">
          {STATE_ORDER.map((s) => (
            <li key={s} className="flex items-center gap-1"><span aria-hidden className={cx("inline-block size-3 rounded-sm", STATE_CELL[s]?.replace(" animate-pulse", ""))} />{s}</li>
          ))}
          <li className="flex items-center gap-1"><span aria-hidden className="inline-block size-3 rounded-sm border border-slate-200 bg-slate-50" />none</li>
        </ul>
      </div>
      {days.length === 0 ? <ErrorState error={new Error(`the range ends (${to}) before it starts (${from})`)} /> :
        instances.isPending || jobs.isPending ? <SkeletonRows rows={6} /> :
        instances.isError ? <ErrorState error={instances.error} onRetry={() => void instances.refetch()} /> :
        rows.length === 0 ? (
          <EmptyState title={filter ? "No job matches the filter" : "No instances in this range"} action={<Button onClick={() => setRunning(true)}>Run a bizdate</Button>}>
            Deploy a job to put it on its daily schedule, or run one of its days here.
          </EmptyState>
        ) : (
          <div ref={scroller} className="overflow-auto rounded-lg border border-slate-200 bg-white shadow-xs" style={{ maxHeight: "calc(100vh - 260px)" }}>
            <table aria-label="Instance calendar" className="border-separate border-spacing-0 text-xs">
              <thead className="sticky top-0 z-20 bg-slate-50">
                <tr>
                  <th scope="col" className="sticky left-0 z-30 min-w-56 border-b border-slate-200 bg-slate-50 px-3 py-2 text-left font-medium text-slate-500">Job</th>
                  {days.map((d) => (
                    <th key={d} scope="col" title={d} className="border-b border-slate-200 px-0.5 py-1 text-center font-medium text-slate-500" style={{ minWidth: CELL }}>
                      <span className="block text-[10px] text-slate-400">{d.slice(5, 7)}</span>{d.slice(8)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {top > 0 ? <tr aria-hidden style={{ height: top }} /> : null}
                {items.map((vi) => {
                  const job = rows[vi.index] ?? "";
                  return (
                    <tr key={job} style={{ height: ROW }} className="hover:bg-slate-50">
                      <th scope="row" className="sticky left-0 z-10 max-w-72 truncate border-b border-slate-100 bg-white px-3 text-left font-medium">
                        <Link href={`${base}/jobs/${encodeURIComponent(job)}`} className="text-indigo-700 hover:underline">{job}</Link>
                      </th>
                      {days.map((d) => {
                        const state = cells.get(`${job} ${d}`);
                        return (
                          <td key={d} className="border-b border-slate-100 p-0.5 text-center">
                            {state ? (
                              <Link href={instanceHref(base, job, d.replaceAll("-", ""))} aria-label={`${job} ${d}: ${state}`} title={`${job} ${d}: ${state}`} data-state={state}
                                className={cx("mx-auto block size-6 rounded focus-visible:outline-2 focus-visible:outline-indigo-500", STATE_CELL[state])} />
                            ) : (
                              <button type="button" aria-label={`${job} ${d}: no instance`} title={`${job} ${d}: no instance — open to run it`}
                                onClick={() => router.push(instanceHref(base, job, d.replaceAll("-", "")))}
                                className="mx-auto block size-6 rounded border border-slate-200 bg-slate-50 hover:border-indigo-300" />
                            )}
                          </td>
                        );
                      })}
                    </tr>
                  );
                })}
                {bottom > 0 ? <tr aria-hidden style={{ height: bottom }} /> : null}
              </tbody>
            </table>
          </div>
        )}
      <RunDayDialog project={project} open={running} onClose={() => setRunning(false)} />
      {backfill ? <BackfillDialog project={project} open={backfill} onClose={() => setBackfill(false)} /> : null}
    </>
  );
}
