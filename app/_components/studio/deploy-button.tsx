"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button, ConfirmDialog, inputClass } from "../ui";
import { useToast } from "../toast";
import { issuesOf, messageOf } from "../../_lib/issues";
import { useTRPC } from "../../_lib/trpc/client";

// Deploy from the studio, with a version note. A deploy takes the saved version, so unsaved edits must be
// saved first; owners only (the button says why otherwise).

export function DeployButton({ project, job, dirty, canDeploy, role, nextVersion }: { project: string; job: string; dirty: boolean; canDeploy: boolean; role: string | null; nextVersion: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState("");
  const [problem, setProblem] = useState<string[] | null>(null);
  const deploy = useMutation(trpc.jobs.deploy.mutationOptions({
    onSuccess: async (d) => {
      setOpen(false);
      setNote("");
      setProblem(null);
      await queryClient.invalidateQueries({ queryKey: trpc.jobs.get.queryKey({ project, name: job }) });
      toast({ message: `Deployed ${job} as v${d.version}`, tone: "success" });
    },
    onError: (e) => {
      const issues = issuesOf(e);
      setProblem(issues.length > 0 ? issues.map((i) => `${i.line !== undefined ? `Line ${i.line}, column ${i.column ?? 1}: ` : ""}${i.message}`) : [messageOf(e)]);
    },
  }));
  const why = !canDeploy ? `Deploying needs the owner role; you are ${role ?? "not a member"} in ${project}.` : dirty ? "Save first: a deploy takes the saved version." : undefined;
  return (
    <>
      <Button onClick={() => setOpen(true)} disabled={why !== undefined} title={why}>Deploy…</Button>
      <ConfirmDialog open={open} tone="primary" title={`Deploy ${job} to production?`} confirmLabel={deploy.isPending ? "Deploying…" : "Deploy"} busy={deploy.isPending}
        onConfirm={() => deploy.mutate({ project, job, note })} onCancel={() => { setOpen(false); setProblem(null); }}>
        <p>The saved SQL and settings are checked against the catalog and become v{nextVersion}.</p>
        <label htmlFor="studio-deploy-note" className="mt-3 mb-1 block text-xs font-medium text-slate-600">Note (optional)</label>
        <input id="studio-deploy-note" value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} placeholder="What changed, or why" className={inputClass} />
        {problem ? <ul role="alert" className="mt-3 list-disc rounded-md border border-rose-200 bg-rose-50 py-2 pr-3 pl-7 text-rose-800">{problem.map((p) => <li key={p}>{p}</li>)}</ul> : null}
      </ConfirmDialog>
    </>
  );
}
