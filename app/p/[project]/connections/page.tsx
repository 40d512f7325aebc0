"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { use, useState } from "react";
import { ConnectionForm } from "../../../_components/connection-form";
import { useToast } from "../../../_components/toast";
import { Badge, Button, Card, ConfirmDialog, EmptyState, ErrorState, PageHeader, SkeletonRows } from "../../../_components/ui";
import type { ConnectionView } from "../../../_lib/api-types";
import { plural, relativeTime } from "../../../_lib/format";
import { messageOf } from "../../../_lib/issues";
import { useTRPC } from "../../../_lib/trpc/client";

export default function ConnectionsPage({ params }: { params: Promise<{ project: string }> }) {
  const project = decodeURIComponent(use(params).project);
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const list = useQuery(trpc.catalog.connections.list.queryOptions({ project }));
  const [editing, setEditing] = useState<ConnectionView | "new" | null>(null);
  const [deleting, setDeleting] = useState<ConnectionView | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const remove = useMutation(trpc.catalog.connections.delete.mutationOptions({
    onSuccess: async ({ name }) => {
      setDeleting(null);
      await queryClient.invalidateQueries({ queryKey: trpc.catalog.connections.list.queryKey() });
      toast({ message: `Deleted connection ${name}` });
    },
    onError: (e) => { setDeleting(null); setDeleteError(messageOf(e)); },
  }));

  return (
    <>
      <PageHeader
        title="Connections"
        description="Physical systems your tables live in. Properties go into every table's WITH clause; secrets are encrypted and never shown."
        actions={<Button variant="primary" onClick={() => setEditing("new")}>New connection</Button>}
      />
      {deleteError ? (
        <div role="alert" className="mb-4 flex items-start justify-between gap-3 rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800">
          <span>{deleteError}</span>
          <button type="button" aria-label="Dismiss" onClick={() => setDeleteError(null)}>×</button>
        </div>
      ) : null}
      {editing ? (
        <Card className="mb-5" title={editing === "new" ? "New connection" : `Edit connection ${editing.name}`}>
          <ConnectionForm
            key={editing === "new" ? "new" : editing.id}
            project={project}
            existing={editing === "new" ? undefined : editing}
            onDone={(saved) => { setEditing(null); if (saved) toast({ message: `Saved connection ${saved}` }); }}
          />
        </Card>
      ) : null}
      {list.isPending ? <SkeletonRows rows={4} /> : list.isError ? <ErrorState error={list.error} onRetry={() => void list.refetch()} /> : list.data.length === 0 ? (
        <EmptyState title="No connections yet" action={<Button variant="primary" onClick={() => setEditing("new")}>New connection</Button>}>
          Add a Kafka cluster, a filesystem or warehouse path, or a database reached over JDBC.
        </EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-xs">
          <table className="w-full text-sm" aria-label="Connections">
            <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2.5">Name</th>
                <th scope="col" className="px-4 py-2.5">Type</th>
                <th scope="col" className="px-4 py-2.5">Properties</th>
                <th scope="col" className="px-4 py-2.5">Secrets</th>
                <th scope="col" className="px-4 py-2.5">Tables</th>
                <th scope="col" className="px-4 py-2.5">Updated</th>
                <th scope="col" className="px-4 py-2.5"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {list.data.map((c) => (
                <tr key={c.id} id={c.name} className="align-top hover:bg-slate-50">
                  <td className="px-4 py-3">
                    <p className="font-medium text-slate-900">{c.name}</p>
                    {c.description ? <p className="w-60 text-xs text-slate-500">{c.description}</p> : null}
                  </td>
                  <td className="px-4 py-3"><Badge tone="indigo">{c.type}</Badge></td>
                  <td className="px-4 py-3">
                    <KeyValues entries={Object.entries(c.properties)} />
                  </td>
                  <td className="px-4 py-3">
                    {Object.keys(c.secrets).length === 0 ? <span className="text-slate-400">—</span> : (
                      <dl className="space-y-0.5 font-mono text-xs">
                        {Object.entries(c.secrets).map(([k, s]) => (
                          <div key={k} className="flex gap-1.5">
                            <dt className="text-slate-500">{k}</dt>
                            <dd className="text-slate-800">{s.value}</dd>
                            <dd><Badge tone="slate" title="Where the secret came from">{s.source}</Badge></dd>
                          </div>
                        ))}
                      </dl>
                    )}
                  </td>
                  <td className="px-4 py-3 whitespace-nowrap tabular-nums">{plural(c.tableCount, "table")}</td>
                  <td className="px-4 py-3 whitespace-nowrap text-slate-500">{relativeTime(c.updatedAt)}</td>
                  <td className="px-4 py-3">
                    <div className="flex justify-end gap-1.5">
                      <Button size="sm" onClick={() => setEditing(c)} aria-label={`Edit ${c.name}`}>Edit</Button>
                      <Button size="sm" variant="danger" onClick={() => { setDeleteError(null); setDeleting(c); }} aria-label={`Delete ${c.name}`}>Delete</Button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete connection ${deleting?.name ?? ""}?`}
        confirmLabel="Delete connection"
        busy={remove.isPending}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate({ project, name: deleting.name })}
      >
        {deleting && deleting.tableCount > 0
          ? `It is used by ${plural(deleting.tableCount, "table")}; the catalog will refuse until they are moved or deleted.`
          : "Its encrypted secrets are deleted with it and cannot be restored."}
      </ConfirmDialog>
    </>
  );
}

function KeyValues({ entries }: { entries: [string, string][] }) {
  if (!entries.length) return <span className="text-slate-400">—</span>;
  return (
    <dl className="space-y-0.5 font-mono text-xs">
      {entries.map(([k, v]) => (
        <div key={k} className="flex min-w-0 gap-1.5">
          <dt className="shrink-0 text-slate-500">{k}</dt>
          <dd className="max-w-64 truncate text-slate-800" title={v}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
