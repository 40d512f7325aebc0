"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { messageOf } from "../_lib/issues";
import { useTRPC } from "../_lib/trpc/client";
import { dashed, StateBadge } from "./instance-state";
import { Button, cx, inputClass } from "./ui";

// The console's two dialogs: run one day of a deployed job (a manual instance), and a backfill (a range of
// days, optionally with the jobs downstream, previewed before it starts, then followed until it ends).

function Modal({ open, title, onClose, children, footer, wide }: { open: boolean; title: string; onClose: () => void; children: ReactNode; footer: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} onCancel={(e) => { e.preventDefault(); onClose(); }} aria-label={title}
      className={cx("m-auto max-w-[92vw] rounded-lg border border-slate-200 p-0 shadow-xl backdrop:bg-slate-900/30", wide ? "w-[40rem]" : "w-[28rem]")}>
      <div className="p-5">
        <h2 className="text-base font-semibold text-slate-900">{title}</h2>
        <div className="mt-3 text-sm text-slate-600">{children}</div>
      </div>
      <div className="flex justify-end gap-2 border-t border-slate-200 bg-slate-50 px-5 py-3">{footer}</div>
    </dialog>
  );
}

export function todayDashed(offsetDays = 0): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offsetDays);
  return d.toISOString().slice(0, 10);
}

export function JobPicker({ project, value, onChange, id }: { project: string; value: string; onChange: (job: string) => void; id: string }) {
  const trpc = useTRPC();
  const jobs = useQuery(trpc.jobs.list.queryOptions({ project }));
  const deployed = (jobs.data ?? []).filter((j) => j.production && !j.production.undeployedAt).map((j) => j.name);
  useEffect(() => {
    if (!value && deployed[0]) onChange(deployed[0]);
  }, [value, deployed, onChange]);
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)} className={inputClass}>
      {deployed.length === 0 ? <option value="">No deployed job</option> : null}
      {deployed.map((j) => <option key={j} value={j}>{j}</option>)}
    </select>
  );
}

/** Runs a deployed job for one bizdate: a manual instance that waits for its upstream like a scheduled one. */
export function RunDayDialog({ project, open, onClose, job: fixedJob, onStarted }: { project: string; open: boolean; onClose: () => void; job?: string; onStarted?: (job: string, bizdate: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [job, setJob] = useState(fixedJob ?? "");
  const [day, setDay] = useState(todayDashed(-1));
  const [problem, setProblem] = useState<string | null>(null);
  const run = useMutation(trpc.instances.rerun.mutationOptions({
    onSuccess: async (r) => {
      await queryClient.invalidateQueries({ queryKey: trpc.instances.list.queryKey() });
      onStarted?.(r.instance.job, r.instance.bizdate);
      onClose();
    },
    onError: (e) => setProblem(messageOf(e)),
  }));
  return (
    <Modal open={open} title="Run a bizdate" onClose={onClose}
      footer={<><Button onClick={onClose}>Cancel</Button><Button variant="primary" disabled={!job || run.isPending} onClick={() => { setProblem(null); run.mutate({ project, job, bizdate: day, reason: "run from the console" }); }}>{run.isPending ? "Starting…" : "Run"}</Button></>}>
      <p className="mb-3">The day runs as the job&apos;s production version, once its upstream partitions are ready. A day that already ran runs again as its next attempt.</p>
      {fixedJob ? null : (<>
        <label htmlFor="run-job" className="mb-1 block text-xs font-medium text-slate-600">Job</label>
        <JobPicker id="run-job" project={project} value={job} onChange={setJob} />
      </>)}
      <label htmlFor="run-day" className="mt-3 mb-1 block text-xs font-medium text-slate-600">Bizdate</label>
      <input id="run-day" type="date" value={day} onChange={(e) => setDay(e.target.value)} className={inputClass} />
      {problem ? <p role="alert" className="mt-2 text-rose-700">{problem}</p> : null}
    </Modal>
  );
}

export interface BackfillRange { job: string; from: string; to: string }

/** Range, downstream and concurrency; a preview of the instances; then the backfill's live progress with cancel. */
export function BackfillDialog({ project, open, onClose, initial }: { project: string; open: boolean; onClose: () => void; initial?: Partial<BackfillRange> }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [job, setJob] = useState(initial?.job ?? "");
  const [from, setFrom] = useState(initial?.from ?? todayDashed(-3));
  const [to, setTo] = useState(initial?.to ?? todayDashed(-1));
  const [downstream, setDownstream] = useState(false);
  const [concurrency, setConcurrency] = useState(2);
  const [started, setStarted] = useState<BackfillRange | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const valid = job !== "" && from !== "" && to !== "";
  const preview = useQuery(trpc.instances.backfillPreview.queryOptions({ project, job, from, to, downstream }, { enabled: open && valid && !started, retry: false }));
  const status = useQuery(trpc.instances.backfillStatus.queryOptions(
    { project, job: started?.job ?? job, from: started?.from ?? from, to: started?.to ?? to },
    { enabled: started !== null, refetchInterval: (q) => (q.state.data?.finished ? false : 1500), retry: 2 },
  ));
  useEffect(() => {
    if (status.data?.done !== undefined) void queryClient.invalidateQueries({ queryKey: trpc.instances.list.queryKey() });
  }, [status.data?.done, queryClient, trpc]);
  const start = useMutation(trpc.instances.backfill.mutationOptions({
    onSuccess: () => { setStarted({ job, from, to }); setProblem(null); },
    onError: (e) => setProblem(messageOf(e)),
  }));
  const cancel = useMutation(trpc.instances.cancelBackfill.mutationOptions({
    onSuccess: () => void status.refetch(),
    onError: (e) => setProblem(messageOf(e)),
  }));
  const close = () => { setStarted(null); setProblem(null); onClose(); };
  const s = status.data;
  const pct = s && s.total > 0 ? Math.round((s.done / s.total) * 100) : 0;

  return (
    <Modal open={open} wide title={started ? `Backfill of ${started.job}` : "Backfill"} onClose={close}
      footer={started ? (<>
        {s && !s.finished ? <Button onClick={() => cancel.mutate({ project, ...started })} disabled={cancel.isPending}>{cancel.isPending ? "Cancelling…" : "Cancel backfill"}</Button> : null}
        <Button variant="primary" onClick={close}>Close</Button>
      </>) : (<>
        <Button onClick={close}>Cancel</Button>
        <Button variant="primary" disabled={!valid || start.isPending || !preview.data?.length} onClick={() => start.mutate({ project, job, from, to, downstream, concurrency })}>
          {start.isPending ? "Starting…" : `Start backfill${preview.data ? ` (${preview.data.length} instances)` : ""}`}
        </Button>
      </>)}>
      {started ? (
        <div>
          <p className="font-mono text-xs">{started.from} → {started.to}</p>
          {status.isError ? <p role="alert" className="mt-2 text-rose-700">{messageOf(status.error)}</p> : null}
          <div className="mt-3 h-2.5 w-full overflow-hidden rounded-full bg-slate-200" role="progressbar" aria-label="Backfill progress" aria-valuemin={0} aria-valuemax={s?.total ?? 0} aria-valuenow={s?.done ?? 0}>
            <div className={cx("h-full transition-all", s?.failed ? "bg-rose-500" : "bg-emerald-500")} style={{ width: `${pct}%` }} />
          </div>
          <p className="mt-2" role="status">
            {s ? `${s.done} of ${s.total} done: ${s.succeeded} succeeded, ${s.failed} failed${s.busy ? `, ${s.busy} already running` : ""}${s.finished ? " — finished" : ""}` : "Starting…"}
          </p>
          {s?.running.length ? <p className="mt-1 text-xs text-slate-500">Running: {s.running.join(", ")}</p> : null}
          {s?.failures.length ? (
            <ul className="mt-2 space-y-1 text-xs text-rose-700">{s.failures.map((f) => <li key={`${f.job} ${f.bizdate}`}>{f.job} {dashed(f.bizdate)}: {f.error}</li>)}</ul>
          ) : null}
        </div>
      ) : (
        <div className="grid grid-cols-2 gap-3">
          <div className="col-span-2">
            <label htmlFor="bf-job" className="mb-1 block text-xs font-medium text-slate-600">Job</label>
            {initial?.job ? <p id="bf-job" className="font-medium text-slate-800">{job}</p> : <JobPicker id="bf-job" project={project} value={job} onChange={setJob} />}
          </div>
          <div>
            <label htmlFor="bf-from" className="mb-1 block text-xs font-medium text-slate-600">From</label>
            <input id="bf-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} className={inputClass} />
          </div>
          <div>
            <label htmlFor="bf-to" className="mb-1 block text-xs font-medium text-slate-600">To</label>
            <input id="bf-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} className={inputClass} />
          </div>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={downstream} onChange={(e) => setDownstream(e.target.checked)} /> With downstream jobs
          </label>
          <div className="flex items-center gap-2">
            <label htmlFor="bf-conc" className="text-xs font-medium whitespace-nowrap text-slate-600">Concurrency</label>
            <input id="bf-conc" type="number" min={1} max={16} value={concurrency} onChange={(e) => setConcurrency(Math.max(1, Math.min(16, Number(e.target.value) || 1)))} className={inputClass} />
          </div>
          <div className="col-span-2">
            <p className="mb-1 text-xs font-medium text-slate-600">Instances it will run</p>
            {preview.isError ? <p role="alert" className="text-rose-700">{messageOf(preview.error)}</p> : preview.isPending ? <p className="text-slate-400">…</p> : (
              <ul aria-label="Backfill preview" className="max-h-48 divide-y divide-slate-100 overflow-auto rounded border border-slate-200">
                {preview.data.map((d) => (
                  <li key={`${d.job} ${d.bizdate}`} className="flex items-center justify-between gap-2 px-3 py-1.5">
                    <span className="truncate">{d.job} <span className="font-mono text-xs text-slate-500">{dashed(d.bizdate)}</span></span>
                    {d.state ? <span className="flex items-center gap-1 text-xs text-slate-500">{["succeeded", "failed", "skipped", "cancelled"].includes(d.state) ? "reruns" : "left to finish:"} <StateBadge state={d.state} /></span> : <span className="text-xs text-slate-500">new</span>}
                  </li>
                ))}
              </ul>
            )}
          </div>
          {problem ? <p role="alert" className="col-span-2 text-rose-700">{problem}</p> : null}
        </div>
      )}
    </Modal>
  );
}
