"use client";

import { useQuery } from "@tanstack/react-query";
import { Button, Field, inputClass } from "../ui";
import { useDebounced } from "../../_lib/use-debounced";
import { useTRPC } from "../../_lib/trpc/client";
import type { RouterOutputs } from "../../_lib/api-types";

// The job's settings beside its SQL: the stream side (parallelism, start position, checkpoint interval),
// the batch side (schedule with its next five firings and the day each processes, time zone, bizdate
// offset, sink rate limit, retries, timeout) and the job's variables. Saved with the SQL.

export type JobSpecDraft = RouterOutputs["jobs"]["get"]["spec"];

const num = (v: string): number | undefined => (v.trim() === "" ? undefined : Number(v));

export function SettingsPanel({ project, spec, onChange, errors, readOnly }: {
  project: string;
  spec: JobSpecDraft;
  onChange: (next: JobSpecDraft) => void;
  /** Messages by spec path below the job (`batch.cron`, `variables`), from the last save. */
  errors: Record<string, string[]>;
  readOnly: boolean;
}) {
  const trpc = useTRPC();
  const schedule = useDebounced({ cron: spec.batch.cron, timezone: spec.batch.timezone, bizdateOffsetDays: spec.batch.bizdateOffsetDays }, 300);
  const runs = useQuery({ ...trpc.jobs.nextRuns.queryOptions({ project, ...schedule }), placeholderData: (prev) => prev });
  const stream = (patch: Partial<JobSpecDraft["stream"]>) => onChange({ ...spec, stream: { ...spec.stream, ...patch } });
  const batch = (patch: Partial<JobSpecDraft["batch"]>) => onChange({ ...spec, batch: { ...spec.batch, ...patch } });
  const variables = Object.entries(spec.variables);
  const setVariables = (entries: [string, string][]) => onChange({ ...spec, variables: Object.fromEntries(entries) });

  return (
    <fieldset disabled={readOnly} className="space-y-5" aria-label="Job settings">
      <section className="space-y-3">
        <h3 className="text-xs font-semibold tracking-wide text-amber-700 uppercase">Batch job</h3>
        <div className="grid grid-cols-2 gap-3">
          <Field label="Schedule (cron)" error={errors["batch.cron"]} hint="5 fields, or 6 with seconds first">
            {(id) => <input id={id} value={spec.batch.cron} onChange={(e) => batch({ cron: e.target.value })} className={`${inputClass} font-mono`} />}
          </Field>
          <Field label="Schedule time zone" error={errors["batch.timezone"]}>
            {(id) => <input id={id} value={spec.batch.timezone} onChange={(e) => batch({ timezone: e.target.value })} className={inputClass} />}
          </Field>
          <Field label="Bizdate offset (days)" error={errors["batch.bizdateOffsetDays"]} hint="-1 processes the day before the run">
            {(id) => <input id={id} type="number" max={0} min={-366} value={spec.batch.bizdateOffsetDays} onChange={(e) => batch({ bizdateOffsetDays: num(e.target.value) ?? 0 })} className={inputClass} />}
          </Field>
          <Field label="Sink rate limit (rows/s)" error={errors["batch.sinkRateLimit"]} hint="empty: no limit">
            {(id) => <input id={id} type="number" min={1} value={spec.batch.sinkRateLimit ?? ""} onChange={(e) => batch({ sinkRateLimit: num(e.target.value) })} className={inputClass} />}
          </Field>
          <Field label="Retries" error={errors["batch.retries"]}>
            {(id) => <input id={id} type="number" min={0} max={20} value={spec.batch.retries} onChange={(e) => batch({ retries: num(e.target.value) ?? 0 })} className={inputClass} />}
          </Field>
          <Field label="Timeout (minutes)" error={errors["batch.timeoutMinutes"]}>
            {(id) => <input id={id} type="number" min={1} value={spec.batch.timeoutMinutes} onChange={(e) => batch({ timeoutMinutes: num(e.target.value) ?? 1 })} className={inputClass} />}
          </Field>
        </div>
        <div aria-label="Next runs" className="rounded-md bg-slate-50 px-3 py-2 text-xs">
          <p className="mb-1 font-medium text-slate-600">Next runs</p>
          {!runs.data ? <p className="text-slate-400">…</p> : !runs.data.ok ? <p role="alert" className="text-rose-700">{runs.data.error}</p> : (
            <ol className="space-y-0.5 font-mono text-slate-700">
              {runs.data.runs.map((r) => (
                <li key={r.at.toISOString()}>
                  {r.at.toLocaleString("sv-SE", { timeZone: spec.batch.timezone, hour12: false }).slice(0, 16)} <span className="text-slate-400">{spec.batch.timezone}</span> → bizdate {r.bizdate}
                </li>
              ))}
            </ol>
          )}
        </div>
      </section>

      <section className="space-y-3">
        <h3 className="text-xs font-semibold tracking-wide text-sky-700 uppercase">Stream job</h3>
        <div className="grid grid-cols-2 gap-3">
          <Field label="Parallelism" error={errors["stream.parallelism"]}>
            {(id) => <input id={id} type="number" min={1} max={1024} value={spec.stream.parallelism} onChange={(e) => stream({ parallelism: num(e.target.value) ?? 1 })} className={inputClass} />}
          </Field>
          <Field label="Checkpoint interval (s)" error={errors["stream.checkpointIntervalMs"]}>
            {(id) => <input id={id} type="number" min={1} value={spec.stream.checkpointIntervalMs / 1000} onChange={(e) => stream({ checkpointIntervalMs: Math.round((num(e.target.value) ?? 60) * 1000) })} className={inputClass} />}
          </Field>
          <Field label="Starts from" error={errors["stream.startFrom"]}>
            {(id) => (
              <select id={id} value={spec.stream.startFrom} onChange={(e) => stream({ startFrom: e.target.value as JobSpecDraft["stream"]["startFrom"] })} className={inputClass}>
                <option value="latest">latest</option>
                <option value="earliest">earliest</option>
                <option value="timestamp">a timestamp</option>
              </select>
            )}
          </Field>
          {spec.stream.startFrom === "timestamp" ? (
            <Field label="Start timestamp" error={errors["stream.startTimestamp"]}>
              {(id) => <input id={id} value={spec.stream.startTimestamp ?? ""} onChange={(e) => stream({ startTimestamp: e.target.value || undefined })} placeholder="2024-11-11 00:00:00" className={inputClass} />}
            </Field>
          ) : null}
        </div>
      </section>

      <section className="space-y-2">
        <h3 className="text-xs font-semibold tracking-wide text-slate-600 uppercase">Variables</h3>
        <p className="text-xs text-slate-500">Used in the SQL as <code className="font-mono">{"${name}"}</code>; built-ins such as <code className="font-mono">{"${bizdate}"}</code> cannot be redefined.</p>
        {errors.variables ? <ul role="alert" className="text-xs text-rose-700">{errors.variables.map((m) => <li key={m}>{m}</li>)}</ul> : null}
        {variables.map(([k, v], i) => (
          <div key={i} className="flex gap-2">
            <input aria-label={`Variable ${i + 1} name`} value={k} onChange={(e) => setVariables(variables.map((x, j) => (j === i ? [e.target.value, x[1]] : x)))} className={`${inputClass} font-mono`} />
            <input aria-label={`Variable ${i + 1} value`} value={v} onChange={(e) => setVariables(variables.map((x, j) => (j === i ? [x[0], e.target.value] : x)))} className={inputClass} />
            <Button size="sm" aria-label={`Remove variable ${k || i + 1}`} onClick={() => setVariables(variables.filter((_, j) => j !== i))}>Remove</Button>
          </div>
        ))}
        <Button size="sm" onClick={() => setVariables([...variables, [`var${variables.length + 1}`, ""]])}>Add variable</Button>
      </section>
    </fieldset>
  );
}
