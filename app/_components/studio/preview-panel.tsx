"use client";

import { useRef, useState } from "react";
import { Badge, Button, Tabs, inputClass } from "../ui";
import { issuesOf, messageOf } from "../../_lib/issues";
import { useTRPCClient } from "../../_lib/trpc/client";
import type { RouterOutputs } from "../../_lib/api-types";

// The studio's step-by-step preview: the batch side run on one partition, or the stream side over the
// newest events of its topic (nothing written either way), showing the first rows and the count of each
// step — sources, meta-table views, CTEs and subqueries, outputs — so a developer sees where a number goes
// wrong. Cancel interrupts the engine.

type BatchPreview = RouterOutputs["jobs"]["preview"];
type StreamPreview = RouterOutputs["jobs"]["previewStream"];
type Preview = { side: "batch"; result: BatchPreview } | { side: "stream"; result: StreamPreview };
type Step = BatchPreview["steps"][number];
type Side = "batch" | "stream";

const KIND_LABEL: Record<Step["kind"], string> = { source: "source", view: "meta-table view", cte: "CTE", subquery: "subquery", output: "writes" };
const KIND_TONE: Record<Step["kind"], "slate" | "sky" | "violet" | "amber" | "emerald"> = { source: "slate", view: "sky", cte: "violet", subquery: "violet", output: "emerald" };

export function PreviewPanel({ project, job, sql, defaultBizdate }: { project: string; job: string; sql: string; defaultBizdate: string }) {
  const client = useTRPCClient();
  const [side, setSide] = useState<Side>("batch");
  const [bizdate, setBizdate] = useState(defaultBizdate);
  const [events, setEvents] = useState("1000");
  const [state, setState] = useState<{ kind: "idle" } | { kind: "running"; started: number } | { kind: "done"; preview: Preview } | { kind: "failed"; messages: string[] }>({ kind: "idle" });
  const running = useRef<AbortController | null>(null);

  const run = async () => {
    running.current?.abort();
    const controller = new AbortController();
    running.current = controller;
    setState({ kind: "running", started: Date.now() });
    try {
      const preview: Preview = side === "batch"
        ? { side, result: await client.jobs.preview.mutate({ project, job, sql, bizdate, limit: 20 }, { signal: controller.signal }) }
        : { side, result: await client.jobs.previewStream.mutate({ project, job, sql, events: Number(events), limit: 20 }, { signal: controller.signal }) };
      setState({ kind: "done", preview });
    } catch (e) {
      if (controller.signal.aborted) setState({ kind: "failed", messages: ["Preview cancelled."] });
      else {
        const issues = issuesOf(e);
        setState({ kind: "failed", messages: issues.length > 0 ? issues.map((i) => `${i.line !== undefined ? `${i.line}:${i.column ?? 1} ` : ""}${i.message}`) : [messageOf(e)] });
      }
    } finally {
      if (running.current === controller) running.current = null;
    }
  };

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-end gap-2">
        <div className="pb-0.5">
          <Tabs label="Preview side" value={side} onChange={(v) => { running.current?.abort(); setSide(v); setState({ kind: "idle" }); }} options={[{ value: "batch", label: "Batch" }, { value: "stream", label: "Stream" }]} />
        </div>
        {side === "batch" ? (
          <label className="text-xs font-medium text-slate-600">
            Partition (bizdate)
            <input type="date" aria-label="Preview bizdate" value={bizdate} onChange={(e) => setBizdate(e.target.value)} className={`${inputClass} mt-1 w-44`} />
          </label>
        ) : (
          <label className="text-xs font-medium text-slate-600">
            Last events of the topic
            <input type="number" min={1} max={10000} step={1} aria-label="Preview events" value={events} onChange={(e) => setEvents(e.target.value)} className={`${inputClass} mt-1 w-32`} />
          </label>
        )}
        {state.kind === "running"
          ? <Button onClick={() => running.current?.abort()}>Cancel</Button>
          : <Button variant="primary" onClick={() => void run()}>Run preview</Button>}
        <p className="pb-2 text-xs text-slate-500">{side === "batch"
          ? "Runs the batch side on the local engine for this partition; nothing is written. First 20 rows of each step."
          : "Runs the stream side over the newest events of its topic (at most 10,000) as one micro-batch; nothing is written and no offsets move. First 20 rows of each step."}</p>
      </div>
      {state.kind === "running" ? <p role="status" className="text-sm text-slate-500">Running the steps…</p> : null}
      {state.kind === "failed" ? <ul role="alert" className="list-disc space-y-1 rounded-md border border-rose-200 bg-rose-50 py-2 pr-3 pl-7 text-sm text-rose-800">{state.messages.map((m) => <li key={m}>{m}</li>)}</ul> : null}
      {state.kind === "idle" ? <p className="py-2 text-sm text-slate-500">{side === "batch" ? "Choose a partition and run the preview to see each step's rows." : "Choose how many of the newest events to replay and run the preview to see each step's rows."}</p> : null}
      {state.kind === "done" ? (
        <div className="space-y-3" aria-label="Preview steps">
          <p className="text-xs text-slate-500">{state.preview.result.steps.length} steps {state.preview.side === "batch"
            ? `for ${state.preview.result.bizdate}`
            : `over the last ${state.preview.result.events.toLocaleString("en")} event${state.preview.result.events === 1 ? "" : "s"} of ${state.preview.result.topic}`} in {Math.round(state.preview.result.durationMs)} ms</p>
          {state.preview.side === "stream" && state.preview.result.events === 0
            ? <p className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-600">The topic {state.preview.result.topic} has no events yet: start the source (or the demo generator) and run the preview again.</p>
            : null}
          {state.preview.result.steps.map((s, i) => <StepView key={`${s.kind}-${s.name}-${i}`} step={s} />)}
        </div>
      ) : null}
    </div>
  );
}

function StepView({ step }: { step: Step }) {
  return (
    <section aria-label={`Step ${step.name}`} className="overflow-hidden rounded-md border border-slate-200">
      <header className="flex items-center gap-2 border-b border-slate-200 bg-slate-50 px-3 py-1.5 text-sm">
        <Badge tone={KIND_TONE[step.kind]}>{KIND_LABEL[step.kind]}</Badge>
        <span className="font-mono text-[13px] font-medium text-slate-800">{step.name}</span>
        {step.statement !== undefined ? <span className="text-xs text-slate-400">statement {step.statement + 1}</span> : null}
        <span className="ml-auto text-xs text-slate-500 tabular-nums">{step.error ? "" : `${step.total.toLocaleString("en")} row${step.total === 1 ? "" : "s"}`}</span>
      </header>
      {step.error ? <p className="px-3 py-2 text-sm text-rose-700">{step.error}</p> : step.rows.length === 0 ? <p className="px-3 py-2 text-sm text-slate-500">No rows.</p> : (
        <div className="max-h-64 overflow-auto">
          <table className="w-full text-xs">
            <thead className="sticky top-0 bg-white text-left text-slate-500"><tr>{step.columns.map((c) => <th key={c} scope="col" className="px-3 py-1 font-medium whitespace-nowrap">{c}</th>)}</tr></thead>
            <tbody className="divide-y divide-slate-100 font-mono">
              {step.rows.map((r, i) => <tr key={i}>{r.map((v, j) => <td key={j} className="px-3 py-1 whitespace-nowrap text-slate-700">{v ?? <span className="text-slate-400">NULL</span>}</td>)}</tr>)}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
