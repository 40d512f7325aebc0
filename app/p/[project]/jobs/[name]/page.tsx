"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { use, useState } from "react";
import { useRouter } from "next/navigation";
import { BatchCard, HealthCard, NeighboursCard, StreamHistory } from "../../../../_components/job/ops-cards";
import { VersionDiff } from "../../../../_components/studio/version-diff";
import { Badge, Button, Card, ConfirmDialog, ErrorState, inputClass, LinkButton, PageHeader, SkeletonRows } from "../../../../_components/ui";
import { useToast } from "../../../../_components/toast";
import { relativeTime } from "../../../../_lib/format";
import { issuesOf, messageOf } from "../../../../_lib/issues";
import { useTRPC } from "../../../../_lib/trpc/client";
import type { RouterOutputs } from "../../../../_lib/api-types";

// One job: its saved SQL and settings, what production runs, and the deployment history. Owners deploy
// the saved version or roll back to an earlier one (each a new version); others see why they cannot.

type Job = RouterOutputs["jobs"]["get"];
type Deployment = Job["deployments"][number];
type Pending = { kind: "deploy" } | { kind: "rollback"; to: number } | { kind: "delete" } | { kind: "undeploy" };

function SqlWithLines({ sql, label }: { sql: string; label: string }) {
  const lines = sql.replace(/\n$/, "").split("\n");
  return (
    <pre aria-label={label} className="theme-fixed overflow-x-auto rounded-md bg-slate-900 py-3 font-mono text-[12.5px] leading-relaxed text-slate-100">
      {lines.map((l, i) => (
        <div key={i} className="flex">
          <span aria-hidden className="w-10 shrink-0 pr-3 text-right text-slate-500 select-none">{i + 1}</span>
          <span className="pr-3 whitespace-pre">{l || " "}</span>
        </div>
      ))}
    </pre>
  );
}

function Setting({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex justify-between gap-3 py-1.5 text-sm">
      <dt className="text-slate-500">{label}</dt>
      <dd className="font-mono text-[13px] text-slate-800">{value}</dd>
    </div>
  );
}

export default function JobPage({ params }: { params: Promise<{ project: string; name: string }> }) {
  const { project: rawProject, name: rawName } = use(params);
  const project = decodeURIComponent(rawProject);
  const name = decodeURIComponent(rawName);
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const job = useQuery(trpc.jobs.get.queryOptions({ project, name }));
  const [pending, setPending] = useState<Pending | null>(null);
  const [note, setNote] = useState("");
  const [problem, setProblem] = useState<string[] | null>(null);
  const [compare, setCompare] = useState<{ left: string; right: string } | null>(null);

  const close = () => { setPending(null); setNote(""); setProblem(null); };
  const done = async (d: Deployment) => {
    close();
    await queryClient.invalidateQueries({ queryKey: trpc.jobs.get.queryKey({ project, name }) });
    void queryClient.invalidateQueries({ queryKey: trpc.jobs.pathKey() }); // every jobs query, in the background (some ask the orchestrator)
    toast({ message: d.rollbackOf === null ? `Deployed ${name} as v${d.version}` : `Rolled ${name} back to v${d.rollbackOf} (now v${d.version})`, tone: "success" });
  };
  const failed = (e: unknown) => {
    const issues = issuesOf(e);
    setProblem(issues.length > 0
      ? issues.map((i) => `${i.line !== undefined ? `Line ${i.line}, column ${i.column ?? 1}: ` : ""}${i.message}`)
      : [messageOf(e)]);
  };
  const router = useRouter();
  const jobsUrl = `/p/${encodeURIComponent(project)}/jobs`;
  const recreate = useMutation(trpc.jobs.create.mutationOptions({
    onSuccess: async (spec) => {
      void queryClient.invalidateQueries({ queryKey: trpc.jobs.pathKey() }); // every jobs query, in the background (some ask the orchestrator)
      toast({ message: `Restored ${spec.name}`, tone: "success" });
    },
    onError: (e) => toast({ message: messageOf(e), tone: "error" }),
  }));
  const remove = useMutation(trpc.jobs.delete.mutationOptions({
    onSuccess: async (spec) => {
      close();
      void queryClient.invalidateQueries({ queryKey: trpc.jobs.pathKey() }); // every jobs query, in the background (some ask the orchestrator)
      router.push(jobsUrl);
      toast({ message: `Deleted ${spec.name}`, tone: "success", action: { label: "Undo", onClick: () => { recreate.mutate({ project, spec }); } } });
    },
    onError: failed,
  }));
  const undeploy = useMutation(trpc.jobs.undeploy.mutationOptions({
    onSuccess: async (u) => {
      close();
      await queryClient.invalidateQueries({ queryKey: trpc.jobs.get.queryKey({ project, name }) });
      void queryClient.invalidateQueries({ queryKey: trpc.jobs.pathKey() }); // every jobs query, in the background (some ask the orchestrator)
      toast({ message: `Undeployed ${name} (v${u.version}): no more scheduled days${u.streamStopped ? ", stream stopped with a savepoint" : ""}`, tone: "success" });
    },
    onError: failed,
  }));
  const deploy = useMutation(trpc.jobs.deploy.mutationOptions({ onSuccess: done, onError: failed }));
  const rollback = useMutation(trpc.jobs.rollback.mutationOptions({ onSuccess: done, onError: failed }));
  const busy = deploy.isPending || rollback.isPending || remove.isPending || undeploy.isPending;
  const confirm = () => {
    if (pending?.kind === "delete") remove.mutate({ project, name });
    else if (pending?.kind === "undeploy") undeploy.mutate({ project, job: name, note });
    else if (pending?.kind === "deploy") deploy.mutate({ project, job: name, note });
    else if (pending?.kind === "rollback") rollback.mutate({ project, job: name, toVersion: pending.to, note });
  };

  if (job.isPending) return <SkeletonRows rows={6} />;
  if (job.isError) return <ErrorState error={job.error} onRetry={() => void job.refetch()} />;
  const j = job.data;
  const current = j.production?.version;
  const whyNot = j.you.canDeploy ? undefined : `Deploying needs the owner role; you are ${j.you.role ?? "not a member"} in ${project}.`;

  return (
    <>
      <PageHeader
        title={j.name}
        description={j.description || undefined}
        actions={
          <div className="flex gap-2">
            {j.deployments.length === 0 && j.you.canEdit ? <Button onClick={() => setPending({ kind: "delete" })}>Delete</Button> : null}
            {j.production && !j.production.undeployedAt && j.you.canDeploy ? <Button onClick={() => setPending({ kind: "undeploy" })}>Undeploy</Button> : null}
            <LinkButton href={`${jobsUrl}/${encodeURIComponent(name)}/studio`}>Open in studio</LinkButton>
            <Button variant="primary" onClick={() => setPending({ kind: "deploy" })} disabled={!j.you.canDeploy} title={whyNot}>Deploy</Button>
          </div>
        }
      />
      {whyNot ? <p role="note" className="-mt-3 mb-4 text-sm text-slate-500">{whyNot}</p> : null}

      <div className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <div className="min-w-0 space-y-4">
          <Card title="SQL (saved)">
            <SqlWithLines sql={j.spec.sql} label="Job SQL" />
          </Card>
          {j.deployments.length > 0 ? <CompareCard job={j} choice={compare} onChoose={setCompare} /> : null}
          <Card title="Deployments" padded={false}>
            {j.deployments.length === 0 ? (
              <p className="px-4 py-6 text-center text-sm text-slate-500">Never deployed. {j.you.canDeploy ? "Deploy validates the SQL against the catalog and records version 1." : ""}</p>
            ) : (
              <table className="w-full text-sm" aria-label="Deployments">
                <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium text-slate-500">
                  <tr>
                    <th scope="col" className="px-4 py-2">Version</th>
                    <th scope="col" className="px-4 py-2">What</th>
                    <th scope="col" className="px-4 py-2">Reads → writes</th>
                    <th scope="col" className="px-4 py-2">By</th>
                    <th scope="col" className="px-4 py-2"><span className="sr-only">Actions</span></th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {j.deployments.map((d) => (
                    <tr key={d.version}>
                      <td className="px-4 py-2.5">
                        <span className="flex items-center gap-2"><span className="font-medium tabular-nums">v{d.version}</span>{d.version === current ? <Badge tone="emerald">production</Badge> : null}</span>
                      </td>
                      <td className="px-4 py-2.5">
                        {d.rollbackOf === null ? "Deployed" : `Rolled back to v${d.rollbackOf}`}
                        {d.note ? <p className="max-w-xs truncate text-xs text-slate-500" title={d.note}>{d.note}</p> : null}
                      </td>
                      <td className="px-4 py-2.5 font-mono text-xs text-slate-600">{d.sources.join(", ")} → {d.sinks.join(", ")}</td>
                      <td className="px-4 py-2.5 text-slate-600">{d.deployedBy}<p className="text-xs text-slate-400"><time dateTime={d.deployedAt.toISOString()}>{relativeTime(d.deployedAt)}</time></p></td>
                      <td className="px-4 py-2.5 text-right">
                        {d.version !== current && j.you.canDeploy ? (
                          <Button size="sm" onClick={() => setPending({ kind: "rollback", to: d.version })} aria-label={`Roll back to v${d.version}`}>Roll back to this</Button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Card>
        </div>

        <div className="space-y-4">
          <Card title="Production">
            {j.production ? (
              <div className="space-y-1 text-sm">
                <p className="flex items-center gap-2"><Badge tone="emerald">v{j.production.version}</Badge><span className="text-slate-600">{j.production.deployedBy}</span></p>
                <p className="text-slate-500">Deployed <time dateTime={j.production.deployedAt.toISOString()}>{relativeTime(j.production.deployedAt)}</time></p>
                {j.production.undeployedAt ? <p className="pt-1"><Badge tone="rose">undeployed</Badge> <span className="text-slate-500"><time dateTime={j.production.undeployedAt.toISOString()}>{relativeTime(j.production.undeployedAt)}</time>: nothing runs</span></p> : null}
                {j.changedSinceDeploy ? <p className="pt-1"><Badge tone="amber">Saved SQL or settings differ from production</Badge></p> : <p className="pt-1 text-slate-500">Production runs the saved version.</p>}
              </div>
            ) : <p className="text-sm text-slate-500">Not deployed yet.</p>}
          </Card>
          <StreamCard project={project} name={name} />
          <BatchCard project={project} job={j} />
          <HealthCard project={project} job={j} />
          <NeighboursCard project={project} job={j} />
          <Card title="Settings">
            <dl className="divide-y divide-slate-100">
              <Setting label="Batch schedule" value={`${j.spec.batch.cron} (${j.spec.batch.timezone})`} />
              <Setting label="Bizdate offset" value={`${j.spec.batch.bizdateOffsetDays} day${Math.abs(j.spec.batch.bizdateOffsetDays) === 1 ? "" : "s"}`} />
              <Setting label="Sink rate limit" value={j.spec.batch.sinkRateLimit ? `${j.spec.batch.sinkRateLimit.toLocaleString("en")} rows/s` : "none"} />
              <Setting label="Batch retries" value={String(j.spec.batch.retries)} />
              <Setting label="Stream parallelism" value={String(j.spec.stream.parallelism)} />
              <Setting label="Stream starts from" value={j.spec.stream.startFrom} />
              {j.spec.hybrid ? <Setting label="Hybrid since" value={j.spec.hybrid.startDate} /> : null}
            </dl>
          </Card>
        </div>
      </div>

      <ConfirmDialog
        open={pending !== null}
        tone={pending?.kind === "delete" || pending?.kind === "undeploy" ? "danger" : "primary"}
        title={pending?.kind === "undeploy" ? `Take ${name} out of production?` : pending?.kind === "delete" ? `Delete ${name}?` : pending?.kind === "rollback" ? `Roll ${name} back to v${pending.to}?` : `Deploy ${name} to production?`}
        confirmLabel={busy ? "Working…" : pending?.kind === "undeploy" ? "Undeploy" : pending?.kind === "delete" ? "Delete" : pending?.kind === "rollback" ? "Roll back" : "Deploy"}
        busy={busy}
        onConfirm={confirm}
        onCancel={close}
      >
        {pending?.kind === "delete" ? <p>The saved job is removed (it was never deployed). You can undo this right after.</p> : null}
        {pending?.kind === "undeploy" ? <p>Its daily schedule is removed and its stream side stops with a savepoint. The history stays; deploying again makes it live.</p> : null}
        <p hidden={pending?.kind === "delete" || pending?.kind === "undeploy"}>
          {pending?.kind === "rollback"
            ? `Version ${pending.to}'s SQL and settings are checked against today's catalog and become the next version.`
            : `The saved SQL and settings are checked against the catalog and become v${(current ?? 0) + 1}.`}
        </p>
        {pending?.kind === "delete" ? null : (
          <>
            <label htmlFor="deploy-note" className="mt-3 mb-1 block text-xs font-medium text-slate-600">Note (optional)</label>
            <input id="deploy-note" value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} placeholder="What changed, or why" className={inputClass} />
          </>
        )}
        {problem ? (
          <div role="alert" className="mt-3 rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-rose-800">
            <p className="font-medium">{pending?.kind === "delete" ? "Not deleted" : pending?.kind === "undeploy" ? "Still deployed" : "Not deployed"}</p>
            <ul className="mt-1 list-disc pl-4">{problem.map((p) => <li key={p} className="whitespace-pre-wrap">{p}</li>)}</ul>
          </div>
        ) : null}
      </ConfirmDialog>
    </>
  );
}

type Supervision = NonNullable<RouterOutputs["jobs"]["streamStatus"]>;
const STATE_TONES: Record<Supervision["state"], "emerald" | "amber" | "rose" | "slate" | "sky"> = {
  running: "emerald", restarting: "amber", failed: "rose", stopped: "slate", starting: "sky", stopping: "sky",
};

/** The stream side as its supervisor sees it (state, restarts, last error, lag, last checkpoint), refreshed every few seconds. */
function StreamCard({ project, name }: { project: string; name: string }) {
  const trpc = useTRPC();
  const status = useQuery({ ...trpc.jobs.streamStatus.queryOptions({ project, name }), refetchInterval: 5000 });
  let body;
  if (status.isPending) body = <SkeletonRows rows={3} />;
  else if (status.isError) body = <p role="alert" className="text-sm text-rose-700">Could not read the stream side: {messageOf(status.error)}</p>;
  else if (status.data === null) {
    body = <p className="text-sm text-slate-500">No stream side runs for this job. Deploying starts it when Temporal is running (<code className="font-mono text-xs">tandem dev</code>, or TEMPORAL_ADDRESS).</p>;
  } else {
    const s = status.data;
    const m = s.metrics;
    const checkpoint = m?.lastCheckpoint;
    body = (
      <div className="space-y-2">
        <p className="flex items-center gap-2 text-sm"><Badge tone={STATE_TONES[s.state]}>{s.state}</Badge><span className="text-slate-600">v{s.version}</span></p>
        <dl className="divide-y divide-slate-100">
          <Setting label="Restarts" value={String(s.restarts)} />
          <Setting label="Lag" value={m?.lag === null || m?.lag === undefined ? "-" : `${m.lag.toLocaleString("en")}${m.lagUnit ? ` ${m.lagUnit}` : ""}`} />
          <Setting label="Rows in / out" value={m ? `${m.rowsIn.toLocaleString("en")} / ${m.rowsOut.toLocaleString("en")}` : "-"} />
          <div className="flex justify-between gap-3 py-1.5 text-sm">
            <dt className="text-slate-500">Last checkpoint</dt>
            <dd className="font-mono text-[13px] text-slate-800">{checkpoint ? <>#{checkpoint.id} <time dateTime={checkpoint.at}>{relativeTime(new Date(checkpoint.at))}</time></> : "-"}</dd>
          </div>
        </dl>
        {s.lastError ? (
          <div className="rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-xs text-rose-800">
            <p className="font-medium">Last error</p>
            <p className="mt-0.5 break-words whitespace-pre-wrap">{s.lastError}</p>
          </div>
        ) : null}
        <StreamHistory project={project} name={name} />
      </div>
    );
  }
  return <Card title="Stream side">{body}</Card>;
}

/** Any two versions (or the saved draft) side by side: SQL and settings. */
function CompareCard({ job, choice, onChoose }: { job: Job; choice: { left: string; right: string } | null; onChoose: (c: { left: string; right: string }) => void }) {
  const options = [
    { value: "saved", label: "saved (not deployed)", sql: job.spec.sql, settings: job.spec },
    ...job.deployments.map((d) => ({ value: `v${d.version}`, label: `v${d.version}${d.version === job.production?.version ? " (production)" : ""}`, sql: d.spec.sql, settings: d.spec })),
  ];
  const production = job.production ? `v${job.production.version}` : "saved";
  const previous = job.deployments[1] ? `v${job.deployments[1].version}` : production;
  const left = choice?.left ?? (job.changedSinceDeploy ? production : previous);
  const right = choice?.right ?? (job.changedSinceDeploy ? "saved" : production);
  const pick = (v: string) => options.find((o) => o.value === v) ?? options[0]!;
  const select = (side: "left" | "right", value: string) => (
    <select aria-label={side === "left" ? "Compare from" : "Compare to"} value={value} onChange={(e) => onChoose({ left, right, [side]: e.target.value })} className={`${inputClass} w-auto py-1 text-xs`}>
      {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
    </select>
  );
  return (
    <Card title="Compare versions" actions={<div className="flex items-center gap-2 text-xs text-slate-500">{select("left", left)} → {select("right", right)}</div>}>
      <VersionDiff left={{ label: pick(left).label, sql: pick(left).sql, settings: pick(left).settings }} right={{ label: pick(right).label, sql: pick(right).sql, settings: pick(right).settings }} height={300} />
    </Card>
  );
}
