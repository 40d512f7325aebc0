"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import type { AlignmentProposal, MetaTableDetail, PhysicalTable } from "../../_lib/api-types";
import { issuesOf, messageOf, type Issue } from "../../_lib/issues";
import { useTRPC, useTRPCClient } from "../../_lib/trpc/client";
import { useDebounced } from "../../_lib/use-debounced";
import { useToast } from "../toast";
import { Badge, Button, Card, Code, ConfirmDialog, cx, Field, FieldErrors, inputClass, PageHeader, Tabs } from "../ui";
import { ColumnsGrid } from "./columns-grid";
import { blankColumn, draftFromSpec, emptyDraft, locateIssue, specFromDraft, type Cell, type Draft, type IssueTarget, type Side } from "./model";
import { TablePicker } from "./table-picker";

// The meta-table editor: one logical table, its columns, and how each side (stream and batch, or one
// source) fills every column. Checks run live against the server's rules (metaTables.check) and each
// issue is shown on the row and side it names.

export interface LocatedIssue extends Issue { target: IssueTarget }

export function MetaTableEditor({ project, initial }: { project: string; initial?: MetaTableDetail }) {
  const trpc = useTRPC();
  const trpcClient = useTRPCClient();
  const queryClient = useQueryClient();
  const router = useRouter();
  const toast = useToast();
  const base = `/p/${encodeURIComponent(project)}`;
  const isNew = !initial;
  const [draft, setDraft] = useState<Draft>(() => (initial ? draftFromSpec(initial.spec) : emptyDraft()));
  const [dirty, setDirty] = useState(false);
  const [issues, setIssues] = useState<Issue[] | null>(null);
  const [alignment, setAlignment] = useState<AlignmentProposal | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);

  const update = (fn: (d: Draft) => Draft) => { setDraft(fn); setDirty(true); };
  const sides: Side[] = draft.mode === "mixed" ? ["stream", "batch"] : ["source"];

  // Physical tables of the bound sides (their columns feed the selects and the previews).
  const tableQuery = (side: Side) => ({
    ...trpc.catalog.tables.get.queryOptions({ project, name: draft[side].table }),
    enabled: draft[side].table !== "" && sides.includes(side),
    retry: false,
  });
  const streamTable = useQuery(tableQuery("stream"));
  const batchTable = useQuery(tableQuery("batch"));
  const sourceTable = useQuery(tableQuery("source"));
  const physical: Record<Side, PhysicalTable | undefined> = {
    stream: streamTable.data?.spec ?? (initial?.tables[draft.stream.table]),
    batch: batchTable.data?.spec ?? (initial?.tables[draft.batch.table]),
    source: sourceTable.data?.spec ?? (initial?.tables[draft.source.table]),
  };

  // Live check: debounced, only once the user has changed something.
  const spec = useMemo(() => specFromDraft(draft), [draft]);
  const specJson = JSON.stringify(spec);
  const debouncedSpec = useDebounced(specJson, 500);
  // The per-side views as the scripts declare them (server/sql/previews.ts), for what is typed so far.
  const viewsSpec = useDebounced(specJson, 200);
  const views = useQuery({ ...trpc.catalog.previews.metaTableViews.queryOptions({ project, spec: JSON.parse(viewsSpec) as unknown }), placeholderData: (prev) => prev });
  const check = useMutation(trpc.catalog.metaTables.check.mutationOptions());
  const checkMutate = check.mutate;
  // Answers can arrive out of order; only the newest request's answer is shown.
  const latestCheck = useRef(0);
  const runCheck = (json: string) => {
    const seq = ++latestCheck.current;
    checkMutate({ project, spec: JSON.parse(json) as unknown }, {
      onSuccess: () => { if (seq !== latestCheck.current) return; setIssues([]); setFormError(null); },
      onError: (e) => {
        if (seq !== latestCheck.current) return;
        const found = issuesOf(e);
        setIssues(found.length ? found : [{ path: "", message: messageOf(e) }]);
      },
    });
  };
  useEffect(() => {
    if (dirty) runCheck(debouncedSpec);
    // runCheck is recreated each render; the spec is the only trigger.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debouncedSpec, dirty]);

  const located: LocatedIssue[] = (issues ?? []).map((i) => ({ ...i, target: locateIssue(i, draft) }));
  const fieldErrors = (f: "name" | "description" | "owner") => located.filter((i) => i.target.at === "field" && i.target.field === f).map((i) => i.message);
  const tableErrors = (side: Side) => located.filter((i) => i.target.at === "table" && i.target.side === side).map((i) => i.message);
  const general = located.filter((i) => i.target.at === "general");

  const invalidate = async (name: string) => {
    await queryClient.invalidateQueries({ queryKey: trpc.catalog.metaTables.list.queryKey() });
    await queryClient.invalidateQueries({ queryKey: trpc.catalog.metaTables.get.queryKey({ project, name }) });
    await queryClient.invalidateQueries({ queryKey: trpc.catalog.tables.get.queryKey() });
  };

  const save = useMutation({
    mutationFn: async () => {
      const body = specFromDraft(draft);
      return isNew
        ? trpcClient.catalog.metaTables.create.mutate({ project, spec: body })
        : trpcClient.catalog.metaTables.update.mutate({ project, name: initial.spec.name, spec: body });
    },
    onSuccess: async (saved) => {
      setDirty(false);
      setIssues([]);
      setFormError(null);
      await invalidate(saved.spec.name);
      toast({ message: `Saved meta-table ${saved.spec.name}`, tone: "success" });
      if (isNew) router.replace(`${base}/meta-tables/${encodeURIComponent(saved.spec.name)}`);
    },
    onError: (e) => {
      const found = issuesOf(e);
      setIssues(found);
      setFormError(found.length ? `Not saved: ${found.length === 1 ? "1 problem" : `${found.length} problems`} to fix.` : messageOf(e));
    },
  });

  const remove = useMutation(trpc.catalog.metaTables.delete.mutationOptions({
    onSuccess: async (deleted) => {
      setConfirmDelete(false);
      router.push(`${base}/meta-tables`);
      await queryClient.invalidateQueries({ queryKey: trpc.catalog.metaTables.list.queryKey() });
      queryClient.removeQueries({ queryKey: trpc.catalog.metaTables.get.queryKey({ project, name: deleted.name }) });
      toast({
        message: `Deleted meta-table ${deleted.name}`,
        action: {
          label: "Undo",
          // The editor is gone by now: use the client and the query cache directly, not a hook.
          onClick: async () => {
            try {
              await trpcClient.catalog.metaTables.create.mutate({ project, spec: deleted });
              await queryClient.invalidateQueries({ queryKey: trpc.catalog.metaTables.list.queryKey() });
              toast({ message: `Restored meta-table ${deleted.name}`, tone: "success" });
            } catch (e) {
              toast({ message: `Could not restore ${deleted.name}: ${messageOf(e)}`, tone: "error" });
            }
          },
        },
      });
    },
    onError: (e) => { setConfirmDelete(false); toast({ message: messageOf(e), tone: "error" }); },
  }));

  const align = useMutation(trpc.catalog.metaTables.autoAlign.mutationOptions({
    onSuccess: (proposal) => {
      setAlignment(proposal);
      update((d) => applyAlignment(d, proposal));
    },
    onError: (e) => setFormError(messageOf(e)),
  }));

  const setCell = (side: Side, columnId: string, cell: Cell) =>
    update((d) => ({ ...d, [side]: { ...d[side], cells: { ...d[side].cells, [columnId]: cell } } }));

  const addFromUnmatched = (side: "stream" | "batch", physicalName: string) => {
    const t = physical[side];
    const type = t?.columns.find((c) => c.name === physicalName)?.type ?? "STRING";
    update((d) => {
      const col = blankColumn({ name: physicalName, type });
      return { ...d, columns: [...d.columns, col], [side]: { ...d[side], cells: { ...d[side].cells, [col.id]: { kind: "column", value: physicalName } } } };
    });
    setAlignment((a) => (a ? { ...a, unmatched: { ...a.unmatched, [side]: a.unmatched[side].filter((n) => n !== physicalName) } } : a));
  };

  const status = !dirty && issues === null
    ? { tone: "slate" as const, text: isNew ? "Not checked yet" : "Saved" }
    : check.isPending ? { tone: "slate" as const, text: "Checking…" }
    : issues && issues.length > 0 ? { tone: "rose" as const, text: `${issues.length} ${issues.length === 1 ? "issue" : "issues"}` }
    : { tone: "emerald" as const, text: "No issues" };

  return (
    <>
      <PageHeader
        title={isNew ? "New meta-table" : draft.name}
        description={draft.mode === "mixed" ? "Mixed meta-table: one logical table, a stream side and a batch side." : "Single-source meta-table: one logical table over one physical table."}
        actions={
          <>
            <span aria-live="polite" data-testid="check-status"><Badge tone={status.tone}>{status.text}</Badge></span>
            {!isNew ? <Button variant="danger" onClick={() => setConfirmDelete(true)}>Delete</Button> : null}
            <Button onClick={() => { setDirty(true); runCheck(specJson); }} disabled={check.isPending}>Check</Button>
            <Button variant="primary" onClick={() => save.mutate()} disabled={save.isPending}>{save.isPending ? "Saving…" : isNew ? "Create meta-table" : "Save changes"}</Button>
          </>
        }
      />
      {formError ? <div role="alert" className="mb-4 rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800">{formError}</div> : null}

      <Card className="mb-4">
        <div className="grid grid-cols-1 gap-4 lg:grid-cols-[minmax(0,1fr)_minmax(0,2fr)_minmax(0,1fr)_auto]">
          <Field label="Name" error={fieldErrors("name")} hint={isNew ? "Letters, digits and underscores, e.g. mix_coupon_events" : "Renaming is not supported"}>
            {(id) => <input id={id} value={draft.name} readOnly={!isNew} aria-invalid={fieldErrors("name").length > 0} className={cx(inputClass, "font-mono", !isNew && "bg-slate-50")} onChange={(e) => update((d) => ({ ...d, name: e.target.value }))} />}
          </Field>
          <Field label="Description" error={fieldErrors("description")}>
            {(id) => <input id={id} value={draft.description} className={inputClass} onChange={(e) => update((d) => ({ ...d, description: e.target.value }))} />}
          </Field>
          <Field label="Owner" error={fieldErrors("owner")}>
            {(id) => <input id={id} value={draft.owner} className={inputClass} placeholder="team or person" onChange={(e) => update((d) => ({ ...d, owner: e.target.value }))} />}
          </Field>
          <div>
            <span className="mb-1 block text-xs font-medium text-slate-600" id="mode-label">Mode</span>
            <Tabs
              label="Mode"
              value={draft.mode}
              onChange={(mode) => update((d) => ({ ...d, mode }))}
              options={[{ value: "single", label: "Single source" }, { value: "mixed", label: "Mixed" }]}
            />
          </div>
        </div>
      </Card>

      <Card
        padded={false}
        className="mb-4"
        title={<span>Columns and mappings <span className="ml-1 font-normal text-slate-400">{draft.columns.length} logical {draft.columns.length === 1 ? "column" : "columns"}{draft.mode === "mixed" ? " + __mode" : ""}</span></span>}
        actions={draft.mode === "mixed" ? (
          <Button
            size="sm"
            onClick={() => align.mutate({ project, streamTable: draft.stream.table, batchTable: draft.batch.table })}
            disabled={!draft.stream.table || !draft.batch.table || align.isPending}
            title={!draft.stream.table || !draft.batch.table ? "Pick both tables first" : "Match columns of both tables by name"}
          >
            {align.isPending ? "Aligning…" : "Auto-align"}
          </Button>
        ) : null}
      >
        {alignment ? (
          <div className="border-b border-indigo-100 bg-indigo-50/60 px-4 py-2.5 text-sm text-slate-700" role="status">
            <div className="flex items-start justify-between gap-3">
              <p>
                <span className="font-medium">Auto-align</span> matched {alignment.columns.length} {alignment.columns.length === 1 ? "column" : "columns"} by name.
                {alignment.unmatched.stream.length + alignment.unmatched.batch.length > 0 ? " Unmatched columns are listed below: map them on the rows, or add one as a logical column." : " Every column found a partner."}
              </p>
              <Button size="sm" variant="ghost" onClick={() => setAlignment(null)} aria-label="Dismiss auto-align summary">×</Button>
            </div>
            {(["stream", "batch"] as const).map((side) => alignment.unmatched[side].length ? (
              <p key={side} className="mt-1.5 flex flex-wrap items-center gap-1.5">
                <span className="w-36 text-xs font-medium text-slate-500">Unmatched on {side}:</span>
                {alignment.unmatched[side].map((n) => (
                  <button key={n} type="button" onClick={() => addFromUnmatched(side, n)} title={`Add '${n}' as a logical column mapped on the ${side} side`}
                    className="rounded border border-slate-300 bg-white px-1.5 py-0.5 font-mono text-xs text-slate-700 hover:border-indigo-400 hover:text-indigo-700">
                    + {n}
                  </button>
                ))}
              </p>
            ) : null)}
          </div>
        ) : null}
        <ColumnsGrid
          project={project}
          draft={draft}
          sides={sides}
          physical={physical}
          issues={located}
          tableErrors={tableErrors}
          onDraft={update}
          onCell={setCell}
          renderPicker={(side) => (
            <TablePicker project={project} side={side} value={draft[side].table} errors={tableErrors(side)} detail={physical[side]}
              onChange={(table) => update((d) => ({ ...d, [side]: { ...d[side], table } }))} />
          )}
        />
        {general.length ? (
          <div className="border-t border-rose-100 bg-rose-50/50 px-4 py-2.5">
            <FieldErrors messages={general.map((i) => i.message)} />
          </div>
        ) : null}
      </Card>

      <div className={cx("grid gap-4", sides.length === 2 ? "lg:grid-cols-2" : "grid-cols-1")}>
        {sides.map((side) => (
          <Card key={side} title={<span>Generated view <span className="font-normal text-slate-400">· {side} side</span></span>}>
            <ViewPreviewText side={side} sql={views.data?.views.find((v) => v.side === side)?.sql} issue={views.data?.issues[0]} />
          </Card>
        ))}
      </div>

      <ConfirmDialog
        open={confirmDelete}
        title={`Delete meta-table ${draft.name}?`}
        confirmLabel="Delete meta-table"
        busy={remove.isPending}
        onCancel={() => setConfirmDelete(false)}
        onConfirm={() => remove.mutate({ project, name: initial?.spec.name ?? draft.name })}
      >
        Jobs that read it will fail to translate until it exists again. You can undo right after deleting.
      </ConfirmDialog>
    </>
  );
}

/** Merges an auto-align proposal: new columns are added, empty cells of existing ones are filled. */
function applyAlignment(d: Draft, p: AlignmentProposal): Draft {
  const named = d.columns.filter((c) => c.name.trim());
  const columns = [...named];
  const stream = { ...d.stream, table: p.stream.table, cells: { ...d.stream.cells } };
  const batch = { ...d.batch, table: p.batch.table, cells: { ...d.batch.cells } };
  const toCell = (m: AlignmentProposal["stream"]["mappings"][string] | undefined): Cell | undefined =>
    m === undefined ? undefined : typeof m === "string" ? { kind: "column", value: m } : "column" in m ? { kind: "column", value: m.column } : { kind: "expr", value: m.expr };
  for (const pc of p.columns) {
    let col = columns.find((c) => c.name.trim().toLowerCase() === pc.name.toLowerCase());
    if (!col) {
      col = blankColumn({ name: pc.name, type: pc.type, description: pc.description ?? "" });
      columns.push(col);
    }
    const s = toCell(p.stream.mappings[pc.name]);
    const b = toCell(p.batch.mappings[pc.name]);
    if (s && !stream.cells[col.id]?.value) stream.cells[col.id] = s;
    if (b && !batch.cells[col.id]?.value) batch.cells[col.id] = b;
  }
  return { ...d, columns: columns.length ? columns : [blankColumn()], stream, batch };
}

/** A side's generated view, or why it cannot be shown yet. */
function ViewPreviewText({ side, sql, issue }: { side: Side; sql?: string; issue?: { path: string; message: string } }) {
  if (sql) return <Code label={`${side} view preview`}>{sql}</Code>;
  return (
    <p aria-label={`${side} view preview`} className="text-sm text-slate-500">
      {issue ? `The view appears once the meta-table is complete (${issue.path ? `${issue.path}: ` : ""}${issue.message}).` : "…"}
    </p>
  );
}
