"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { ConnectionType } from "../../server/catalog/schemas";
import type { ConnectionView } from "../_lib/api-types";
import { issuesOf, messageOf, type Issue } from "../_lib/issues";
import { useTRPC, useTRPCClient } from "../_lib/trpc/client";
import { Button, cx, Field, FieldErrors, inputBase, inputClass } from "./ui";

// Create or edit a connection. Secrets are entered as a value (sent once, stored encrypted), as an
// `env:` reference read on the server, or kept as stored; the stored value is never sent back.

const TYPES: Record<ConnectionType, string> = {
  kafka: "Kafka cluster", filesystem: "Filesystem / warehouse path", jdbc: "Database over JDBC", datagen: "Generated data",
  print: "Print sink", blackhole: "Blackhole sink", duckdb: "DuckDB",
};

type SecretMode = "value" | "env" | "keep";
interface Row { id: number; key: string; value: string }
interface SecretRow extends Row { mode: SecretMode }

let rowSeq = 0;
const row = (key = "", value = ""): Row => ({ id: ++rowSeq, key, value });

export function ConnectionForm({ project, existing, onDone }: { project: string; existing?: ConnectionView; onDone: (saved?: string) => void }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [name, setName] = useState(existing?.name ?? "");
  const [type, setType] = useState<string>(existing?.type ?? "kafka");
  const [description, setDescription] = useState(existing?.description ?? "");
  const [props, setProps] = useState<Row[]>(() => {
    const rows = Object.entries(existing?.properties ?? {}).map(([k, v]) => row(k, v));
    return rows.length ? rows : [row()];
  });
  const [secrets, setSecrets] = useState<SecretRow[]>(() =>
    Object.entries(existing?.secrets ?? {}).map(([k, s]) => ({ ...row(k, s.source.startsWith("env:") ? s.source.slice(4) : ""), mode: "keep" })));
  const [issues, setIssues] = useState<Issue[]>([]);
  const [error, setError] = useState<string | null>(null);

  const save = useMutation({
    mutationFn: () => {
      const spec = {
        name: name.trim(), type, description: description.trim(),
        properties: Object.fromEntries(props.filter((p) => p.key.trim()).map((p) => [p.key.trim(), p.value])),
        secrets: Object.fromEntries(secrets.filter((s) => s.key.trim()).map((s) => [
          s.key.trim(), s.mode === "keep" ? { stored: true as const } : s.mode === "env" ? { env: s.value.trim() } : s.value,
        ])),
      };
      return existing ? client.catalog.connections.update.mutate({ project, name: existing.name, spec }) : client.catalog.connections.create.mutate({ project, spec });
    },
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: trpc.catalog.connections.list.queryKey() });
      onDone(saved.name);
    },
    onError: (e) => { const found = issuesOf(e); setIssues(found); setError(found.length ? null : messageOf(e)); },
  });

  // Issue paths look like "connection.name" or "connections.<name>.secrets.<key>".
  const at = (...suffix: string[]) => issues.filter((i) => i.path.split(".").slice(-suffix.length).join(".") === suffix.join(".")).map((i) => i.message);
  const located = new Set([...at("name"), ...at("type"), ...at("description"), ...props.flatMap((p) => at("properties", p.key)), ...secrets.flatMap((s) => at("secrets", s.key))]);
  const general = issues.filter((i) => !located.has(i.message)).map((i) => i.message);

  return (
    <form onSubmit={(e) => { e.preventDefault(); save.mutate(); }} className="space-y-4">
      <div className="grid grid-cols-1 gap-4 md:grid-cols-[1fr_1fr_2fr]">
        <Field label="Connection name" error={at("name")} hint={existing ? "Renaming is not supported" : undefined}>
          {(id) => <input id={id} value={name} readOnly={!!existing} onChange={(e) => setName(e.target.value)} className={cx(inputClass, "font-mono", existing && "bg-slate-50")} required />}
        </Field>
        <Field label="Type" error={at("type")}>
          {(id) => (
            <select id={id} value={type} onChange={(e) => setType(e.target.value)} className={inputClass}>
              {(Object.keys(TYPES) as ConnectionType[]).map((t) => <option key={t} value={t}>{t} — {TYPES[t]}</option>)}
            </select>
          )}
        </Field>
        <Field label="Description" error={at("description")}>
          {(id) => <input id={id} value={description} onChange={(e) => setDescription(e.target.value)} className={inputClass} />}
        </Field>
      </div>

      <fieldset>
        <legend className="mb-1.5 text-xs font-medium text-slate-600">Properties <span className="font-normal text-slate-400">(merged into the WITH clause of every table on this connection)</span></legend>
        <div className="space-y-1.5">
          {props.map((p, i) => (
            <div key={p.id}>
              <div className="flex gap-2">
                <input aria-label={`Property ${i + 1} key`} value={p.key} placeholder="properties.bootstrap.servers" className={cx(inputBase, "w-72 font-mono text-[13px]")}
                  onChange={(e) => setProps((rs) => rs.map((r) => (r.id === p.id ? { ...r, key: e.target.value } : r)))} />
                <input aria-label={`Property ${i + 1} value`} value={p.value} placeholder="value" className={cx(inputBase, "min-w-0 flex-1 font-mono text-[13px]")}
                  onChange={(e) => setProps((rs) => rs.map((r) => (r.id === p.id ? { ...r, value: e.target.value } : r)))} />
                <Button variant="ghost" aria-label={`Remove property ${i + 1}`} onClick={() => setProps((rs) => rs.filter((r) => r.id !== p.id))}>×</Button>
              </div>
              <FieldErrors messages={at("properties", p.key)} />
            </div>
          ))}
        </div>
        <Button size="sm" className="mt-2" onClick={() => setProps((rs) => [...rs, row()])}>+ Add property</Button>
      </fieldset>

      <fieldset>
        <legend className="mb-1.5 text-xs font-medium text-slate-600">Secrets <span className="font-normal text-slate-400">(encrypted at rest; an env reference is read on the server)</span></legend>
        {secrets.length === 0 ? <p className="text-xs text-slate-400">No secrets.</p> : null}
        <div className="space-y-1.5">
          {secrets.map((s, i) => (
            <div key={s.id}>
              <div className="flex gap-2">
                <input aria-label={`Secret ${i + 1} key`} value={s.key} placeholder="password" readOnly={s.mode === "keep"} className={cx(inputBase, "w-48 font-mono text-[13px]", s.mode === "keep" && "bg-slate-50")}
                  onChange={(e) => setSecrets((rs) => rs.map((r) => (r.id === s.id ? { ...r, key: e.target.value } : r)))} />
                <select aria-label={`Secret ${i + 1} source`} value={s.mode} className={cx(inputBase, "w-40")}
                  onChange={(e) => setSecrets((rs) => rs.map((r) => (r.id === s.id ? { ...r, mode: e.target.value as SecretMode, value: "" } : r)))}>
                  {existing?.secrets[s.key] ? <option value="keep">keep stored</option> : null}
                  <option value="value">enter value</option>
                  <option value="env">env: variable</option>
                </select>
                {s.mode === "keep" ? (
                  <span className="flex min-w-0 flex-1 items-center gap-2 px-1 font-mono text-xs text-slate-500">****** <span className="text-slate-400">{existing?.secrets[s.key]?.source}</span></span>
                ) : (
                  <input aria-label={`Secret ${i + 1} ${s.mode === "env" ? "environment variable" : "value"}`} value={s.value} type={s.mode === "value" ? "password" : "text"} autoComplete="new-password"
                    placeholder={s.mode === "env" ? "SERVING_DB_PASSWORD" : "secret value"} className={cx(inputBase, "min-w-0 flex-1 font-mono text-[13px]")}
                    onChange={(e) => setSecrets((rs) => rs.map((r) => (r.id === s.id ? { ...r, value: e.target.value } : r)))} />
                )}
                <Button variant="ghost" aria-label={`Remove secret ${i + 1}`} onClick={() => setSecrets((rs) => rs.filter((r) => r.id !== s.id))}>×</Button>
              </div>
              <FieldErrors messages={at("secrets", s.key)} />
            </div>
          ))}
        </div>
        <Button size="sm" className="mt-2" onClick={() => setSecrets((rs) => [...rs, { ...row(), mode: "value" }])}>+ Add secret</Button>
      </fieldset>

      {error || general.length ? <div role="alert" className="rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800">{error}<FieldErrors messages={general} /></div> : null}
      <div className="flex justify-end gap-2 border-t border-slate-100 pt-3">
        <Button onClick={() => onDone()}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={save.isPending}>{save.isPending ? "Saving…" : existing ? "Save connection" : "Create connection"}</Button>
      </div>
    </form>
  );
}
