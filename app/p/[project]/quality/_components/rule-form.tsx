"use client";

import { useState } from "react";
import { z } from "zod";
import { Button, Field, inputClass, monoInputClass } from "../../../../_components/ui";
import type { RouterOutputs } from "../../../../_lib/api-types";
import { issuesOf, messageOf } from "../../../../_lib/issues";

// Add or edit a quality rule: the form's text fields parsed by zod into a rule (numbers, lists), checked
// here for what the form can know, then by the server against the catalog; each problem is shown under
// its field (the server's issue paths end with the field's name), the rest above the buttons.

export type Rule = RouterOutputs["quality"]["rules"][number];
export const KINDS = ["rowCount", "nullRatio", "unique", "range", "freshness", "sql", "reconcile"] as const;
type Kind = (typeof KINDS)[number];

const KIND_LABEL: Record<Kind, string> = {
  rowCount: "Row count", nullRatio: "Null ratio", unique: "Unique key", range: "Value range", freshness: "Freshness", sql: "Custom SQL", reconcile: "Stream vs batch reconciliation",
};

export type FormValues = Record<"name" | "severity" | "description" | "kind" | "min" | "max" | "maxChangePct" | "column" | "columns" | "readyBy" | "dayOffset" | "timeZone" | "sql" | "against" | "key" | "abs" | "pct" | "maxKeys", string>;

const EMPTY: FormValues = { name: "", severity: "blocking", description: "", kind: "rowCount", min: "", max: "", maxChangePct: "", column: "", columns: "", readyBy: "", dayOffset: "", timeZone: "", sql: "", against: "", key: "", abs: "", pct: "", maxKeys: "" };

const s = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : Array.isArray(v) ? v.map((x) => s(x)).join(", ") : "");

export function valuesOf(rule: Rule): FormValues {
  const r = rule as Record<string, unknown>;
  const tolerance = (r.tolerance ?? {}) as { abs?: number; pct?: number };
  return {
    ...EMPTY, name: rule.name, severity: rule.severity, description: s(r.description), kind: rule.kind,
    min: s(r.min), max: s(r.max), maxChangePct: s(r.maxChangePct), column: s(r.column), columns: s(r.columns), readyBy: s(r.readyBy), dayOffset: s(r.dayOffset),
    timeZone: s(r.timeZone), sql: s(r.sql), against: s(r.against), key: s(r.key), abs: s(tolerance.abs), pct: s(tolerance.pct), maxKeys: s(r.maxKeys),
  };
}

const optNumber = z.string().trim().transform((text, c) => {
  if (text === "") return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) {
    c.addIssue({ code: "custom", message: "must be a number" });
    return z.NEVER;
  }
  return n;
});
const list = z.string().transform((text) => text.split(",").map((x) => x.trim()).filter(Boolean));
/** A range bound: a number when it reads as one, else the text (dates, strings). */
const bound = z.string().trim().transform((text) => (text === "" ? undefined : Number.isFinite(Number(text)) ? Number(text) : text));

export const RuleForm = z.object({
  name: z.string().trim().min(1, "name the rule").regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "letters, digits and underscores, not starting with a digit"),
  severity: z.enum(["blocking", "warning"]),
  description: z.string().trim(),
  kind: z.enum(KINDS),
  min: z.string(), max: z.string(), maxChangePct: optNumber, column: z.string().trim(), columns: list, readyBy: z.string().trim(), dayOffset: optNumber,
  timeZone: z.string().trim(), sql: z.string(), against: z.string().trim(), key: list, abs: optNumber, pct: optNumber, maxKeys: optNumber,
}).superRefine((v, c) => {
  const need = (field: keyof FormValues, ok: boolean, message: string) => { if (!ok) c.addIssue({ code: "custom", path: [field], message }); };
  if (v.kind === "nullRatio") { need("column", v.column !== "", "name the column"); need("max", v.max.trim() !== "" && Number(v.max) >= 0 && Number(v.max) <= 1, "a ratio between 0 and 1"); }
  if (v.kind === "unique") need("columns", v.columns.length > 0, "name at least one key column");
  if (v.kind === "range") { need("column", v.column !== "", "name the column"); need("min", v.min.trim() !== "" || v.max.trim() !== "", "give a minimum, a maximum or both"); }
  if (v.kind === "rowCount") {
    for (const f of ["min", "max"] as const) need(f, v[f].trim() === "" || (Number.isInteger(Number(v[f])) && Number(v[f]) >= 0), "a whole number of rows, 0 or more");
    need("min", v.min.trim() !== "" || v.max.trim() !== "" || v.maxChangePct !== undefined, "give a minimum, a maximum or a largest change");
  }
  if (v.kind === "freshness") need("readyBy", /^([01]\d|2[0-3]):[0-5]\d$/.test(v.readyBy), "a time of day, HH:mm");
  if (v.kind === "sql") need("sql", v.sql.trim() !== "", "write a SELECT returning the offending rows");
  if (v.kind === "reconcile") {
    need("against", v.against !== "", "name the stream side's table");
    need("key", v.key.length > 0, "name at least one key column");
    need("columns", v.columns.length > 0, "name at least one column to compare");
  }
});

/** The rule the API takes, from parsed form values (only the kind's fields). */
export function ruleOf(v: z.output<typeof RuleForm>): Record<string, unknown> {
  const base = { name: v.name, severity: v.severity, kind: v.kind, ...(v.description ? { description: v.description } : {}) };
  const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined));
  switch (v.kind) {
    case "rowCount": return { ...base, ...defined({ min: v.min.trim() ? Number(v.min) : undefined, max: v.max.trim() ? Number(v.max) : undefined, maxChangePct: v.maxChangePct }) };
    case "nullRatio": return { ...base, column: v.column, max: Number(v.max) };
    case "unique": return { ...base, columns: v.columns };
    case "range": return { ...base, column: v.column, ...defined({ min: bound.parse(v.min), max: bound.parse(v.max) }) };
    case "freshness": return { ...base, readyBy: v.readyBy, ...defined({ dayOffset: v.dayOffset, timeZone: v.timeZone || undefined }) };
    case "sql": return { ...base, sql: v.sql };
    case "reconcile": return { ...base, against: v.against, key: v.key, columns: v.columns, tolerance: defined({ abs: v.abs, pct: v.pct }), ...defined({ maxKeys: v.maxKeys }) };
  }
}

export function RuleEditor({ initial, columns, tables, busy, onSave, onCancel, serverError }: {
  initial?: Rule; columns: string[]; tables: string[]; busy: boolean;
  onSave: (rule: Record<string, unknown>) => void; onCancel: () => void; serverError: unknown;
}) {
  const [values, setValues] = useState<FormValues>(initial ? valuesOf(initial) : EMPTY);
  const [local, setLocal] = useState<Record<string, string[]>>({});
  const set = (field: keyof FormValues) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [field]: e.target.value }));
  const kind = values.kind as Kind;

  // Server issues: `rule.<field>` from the API's parse, `physicalTables.<t>.quality.<i>.<field>` from the catalog check.
  const serverIssues = issuesOf(serverError);
  const fieldNames = Object.keys(EMPTY);
  const server: Record<string, string[]> = {};
  const general: string[] = [];
  for (const i of serverIssues) {
    const field = [...i.path.split(".")].reverse().find((p) => fieldNames.includes(p));
    if (field) (server[field] ??= []).push(i.message);
    else general.push(i.message);
  }
  if (serverError && serverIssues.length === 0) general.push(messageOf(serverError));
  const errors = (f: keyof FormValues) => [...(local[f] ?? []), ...(server[f] ?? [])];

  const submit = (e: React.SyntheticEvent<HTMLFormElement>) => {
    e.preventDefault();
    const parsed = RuleForm.safeParse(values);
    if (!parsed.success) {
      const by: Record<string, string[]> = {};
      for (const i of parsed.error.issues) (by[String(i.path[0] ?? "name")] ??= []).push(i.message);
      setLocal(by);
      return;
    }
    setLocal({});
    onSave(ruleOf(parsed.data));
  };

  const text = (field: keyof FormValues, label: string, hint?: string, opts: { mono?: boolean; list?: string; placeholder?: string } = {}) => (
    <Field label={label} hint={hint} error={errors(field)}>
      {(id) => <input id={id} className={opts.mono ? monoInputClass : inputClass} value={values[field]} onChange={set(field)} list={opts.list} placeholder={opts.placeholder} aria-invalid={errors(field).length > 0} />}
    </Field>
  );

  return (
    <form onSubmit={submit} aria-label={initial ? `Edit rule ${initial.name}` : "New rule"} className="space-y-3" noValidate>
      <datalist id="rule-columns">{columns.map((c) => <option key={c} value={c} />)}</datalist>
      <datalist id="rule-tables">{tables.map((t) => <option key={t} value={t} />)}</datalist>
      <div className="grid gap-3 sm:grid-cols-3">
        <Field label="Name" error={errors("name")}>
          {(id) => <input id={id} className={monoInputClass} value={values.name} onChange={set("name")} disabled={Boolean(initial)} aria-invalid={errors("name").length > 0} />}
        </Field>
        <Field label="Kind" error={errors("kind")}>
          {(id) => <select id={id} className={inputClass} value={values.kind} onChange={set("kind")}>{KINDS.map((k) => <option key={k} value={k}>{KIND_LABEL[k]}</option>)}</select>}
        </Field>
        <Field label="Severity" hint={values.severity === "blocking" ? "A failure fails the instance; the partition stays not ready." : "Recorded only."} error={errors("severity")}>
          {(id) => <select id={id} className={inputClass} value={values.severity} onChange={set("severity")}><option value="blocking">blocking</option><option value="warning">warning</option></select>}
        </Field>
      </div>
      <div className="grid gap-3 sm:grid-cols-3">
        {kind === "rowCount" ? <>{text("min", "Min rows")}{text("max", "Max rows")}{text("maxChangePct", "Max change %", "against the same weekday a week earlier")}</> : null}
        {kind === "nullRatio" ? <>{text("column", "Column", undefined, { mono: true, list: "rule-columns" })}{text("max", "Max null ratio", "0 to 1, e.g. 0.01")}</> : null}
        {kind === "unique" ? <div className="sm:col-span-3">{text("columns", "Key columns", "comma-separated", { mono: true, list: "rule-columns" })}</div> : null}
        {kind === "range" ? <>{text("column", "Column", undefined, { mono: true, list: "rule-columns" })}{text("min", "Min", "a number, a date or text")}{text("max", "Max")}</> : null}
        {kind === "freshness" ? <>{text("readyBy", "Ready by (HH:mm)", undefined, { placeholder: "06:00" })}{text("dayOffset", "Days after the bizdate", "default 1")}{text("timeZone", "Time zone", "default: the job's", { placeholder: "Asia/Shanghai" })}</> : null}
        {kind === "reconcile" ? <>{text("against", "Stream table", undefined, { mono: true, list: "rule-tables" })}{text("key", "Key columns", "comma-separated", { mono: true, list: "rule-columns" })}{text("columns", "Compared columns", "comma-separated", { mono: true, list: "rule-columns" })}{text("abs", "Tolerance (absolute)")}{text("pct", "Tolerance (%)")}{text("maxKeys", "Differing keys kept", "default 100")}</> : null}
      </div>
      {kind === "sql" ? (
        <Field label="SQL: a SELECT returning the offending rows of the partition" error={errors("sql")}>
          {(id) => <textarea id={id} rows={4} className={monoInputClass} value={values.sql} onChange={set("sql")} aria-invalid={errors("sql").length > 0} />}
        </Field>
      ) : null}
      <Field label="Description (optional)" error={errors("description")}>
        {(id) => <input id={id} className={inputClass} value={values.description} onChange={set("description")} />}
      </Field>
      {general.length > 0 ? <ul role="alert" className="rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800">{general.map((m) => <li key={m}>{m}</li>)}</ul> : null}
      <div className="flex justify-end gap-2">
        <Button type="button" onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={busy}>{busy ? "Saving…" : initial ? "Save rule" : "Add rule"}</Button>
      </div>
    </form>
  );
}
