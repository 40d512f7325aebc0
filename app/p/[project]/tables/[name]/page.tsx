"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { use, useState, type ReactNode } from "react";
import { useToast } from "../../../../_components/toast";
import { Badge, Button, Card, Code, ConfirmDialog, EmptyState, ErrorState, KindBadge, LinkButton, PageHeader, Skeleton, SkeletonRows } from "../../../../_components/ui";
import { relativeTime } from "../../../../_lib/format";
import { messageOf } from "../../../../_lib/issues";
import { useTRPC, useTRPCClient } from "../../../../_lib/trpc/client";

export default function TableDetailPage({ params }: { params: Promise<{ project: string; name: string }> }) {
  const raw = use(params);
  const project = decodeURIComponent(raw.project);
  const name = decodeURIComponent(raw.name);
  const base = `/p/${encodeURIComponent(project)}`;
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const router = useRouter();
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const detail = useQuery({ ...trpc.catalog.tables.get.queryOptions({ project, name }), retry: false });

  const remove = useMutation(trpc.catalog.tables.delete.mutationOptions({
    onSuccess: async (deleted) => {
      setConfirming(false);
      router.push(`${base}/tables`);
      await queryClient.invalidateQueries({ queryKey: trpc.catalog.tables.list.queryKey() });
      toast({
        message: `Deleted table ${deleted.name}`,
        action: {
          label: "Undo",
          onClick: async () => {
            try {
              await client.catalog.tables.create.mutate({ project, spec: deleted });
              await queryClient.invalidateQueries({ queryKey: trpc.catalog.tables.list.queryKey() });
              toast({ message: `Restored table ${deleted.name}` });
            } catch (e) {
              toast({ message: `Could not restore ${deleted.name}: ${messageOf(e)}`, tone: "error" });
            }
          },
        },
      });
    },
    onError: (e) => { setConfirming(false); toast({ message: messageOf(e), tone: "error" }); },
  }));

  if (detail.isPending) {
    return <div className="space-y-4" role="status" aria-label="Loading table"><Skeleton className="h-7 w-72" /><SkeletonRows rows={8} /></div>;
  }
  if (detail.isError) {
    return detail.error.data?.code === "NOT_FOUND"
      ? <EmptyState title={`Table ${name} does not exist`} action={<LinkButton href={`${base}/tables`}>All tables</LinkButton>}>It may have been deleted.</EmptyState>
      : <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />;
  }
  const { spec, usedBy, connectionType, updatedAt } = detail.data;
  const options = detail.data.ddl.options;

  return (
    <>
      <PageHeader
        title={<span className="flex items-center gap-2.5"><span className="font-mono">{spec.name}</span><KindBadge kind={spec.kind} /></span>}
        description={<>{spec.description || "No description."} <span className="text-slate-400">· on <Link className="text-indigo-700 hover:underline" href={`${base}/connections#${spec.connection}`}>{spec.connection}</Link> ({connectionType}) · updated {relativeTime(updatedAt)}</span></>}
        actions={
          <>
            <Button variant="danger" onClick={() => setConfirming(true)}>Delete</Button>
            {spec.partition ? <LinkButton href={`${base}/tables/${encodeURIComponent(spec.name)}/partitions`}>Partitions</LinkButton> : null}
            <LinkButton href={`${base}/tables/${encodeURIComponent(spec.name)}/edit`}>Edit</LinkButton>
          </>
        }
      />
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="space-y-4">
          <Card title={`Columns (${spec.columns.length + spec.computedColumns.length})`} padded={false}>
            <table className="w-full table-fixed text-sm" aria-label="Columns">
              <colgroup><col className="w-[26%]" /><col className="w-[32%]" /><col className="w-[24%]" /><col className="w-[18%]" /></colgroup>
              <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium text-slate-500">
                <tr><th className="px-4 py-2">Name</th><th className="px-4 py-2">Type</th><th className="px-4 py-2">Comment</th><th className="px-4 py-2"><span className="sr-only">Flags</span></th></tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {spec.columns.map((c) => (
                  <tr key={c.name}>
                    <td className="px-4 py-2 font-mono text-[13px] text-slate-900">{c.name}</td>
                    <td className="px-4 py-2 font-mono text-[13px] text-slate-600">{c.type}</td>
                    <td className="px-4 py-2 text-slate-500">{c.comment}</td>
                    <td className="px-4 py-2 text-right">
                      <span className="inline-flex gap-1">
                        {spec.primaryKey?.includes(c.name) ? <Badge tone="indigo">primary key</Badge> : null}
                        {spec.partition?.column === c.name ? <Badge tone="emerald">partition</Badge> : null}
                        {spec.watermark?.column === c.name ? <Badge tone="sky">event time</Badge> : null}
                      </span>
                    </td>
                  </tr>
                ))}
                {spec.computedColumns.map((c) => (
                  <tr key={c.name} className="bg-slate-50/50">
                    <td className="px-4 py-2 font-mono text-[13px] text-slate-900">{c.name}</td>
                    <td className="px-4 py-2 font-mono text-[13px] break-words text-slate-600"><span className="text-slate-400">AS</span> {c.expr}</td>
                    <td className="px-4 py-2 text-slate-500">{c.comment}</td>
                    <td className="px-4 py-2 text-right">
                      <span className="inline-flex gap-1"><Badge>computed</Badge>{spec.watermark?.column === c.name ? <Badge tone="sky">event time</Badge> : null}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
          <Card title="Flink DDL preview">
            <Code label="Flink DDL">{detail.data.ddl.ddl ?? ""}</Code>
            <p className="mt-2 text-xs text-slate-500">As the translated scripts declare it; secret options show as ******.</p>
          </Card>
        </div>
        <div className="space-y-4">
          <Card title="Time and layout">
            <dl className="grid grid-cols-[8rem_1fr] gap-y-2 text-sm">
              <Term label="Watermark">{spec.watermark ? <code className="font-mono text-[13px]">{spec.watermark.column} − {spec.watermark.delay}</code> : <Muted>{spec.kind === "stream" ? "none (processing time)" : "—"}</Muted>}</Term>
              <Term label="Partition">{spec.partition ? <code className="font-mono text-[13px]">{spec.partition.column} ({spec.partition.format})</code> : <Muted>{spec.kind === "batch" ? "not partitioned: cannot be the batch side of a meta-table" : "—"}</Muted>}</Term>
              <Term label="Primary key">{spec.primaryKey?.length ? <code className="font-mono text-[13px]">{spec.primaryKey.join(", ")}</code> : <Muted>none</Muted>}</Term>
            </dl>
          </Card>
          <Card title="Options (WITH clause)" padded={false}>
            <table className="w-full table-fixed text-sm" aria-label="Options">
              <colgroup><col className="w-[42%]" /><col /><col className="w-24" /></colgroup>
              <tbody className="divide-y divide-slate-100">
                {options.map(({ key: k, value: v, from }) => (
                  <tr key={k}>
                    <td className="truncate px-4 py-1.5 font-mono text-xs text-slate-600" title={k}>{k}</td>
                    <td className="truncate px-4 py-1.5 font-mono text-xs text-slate-900" title={v}>{v}</td>
                    <td className="px-4 py-1.5 text-right text-xs text-slate-400">{from}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
          <Card title="Used by">
            {usedBy.length === 0 ? <p className="text-sm text-slate-500">No meta-table binds this table yet.</p> : (
              <ul className="space-y-1.5">
                {usedBy.map((u) => (
                  <li key={`${u.metaTable}-${u.side}`} className="flex items-center justify-between text-sm">
                    <Link href={`${base}/meta-tables/${encodeURIComponent(u.metaTable)}`} className="font-medium text-indigo-700 hover:underline">{u.metaTable}</Link>
                    <Badge tone={u.side === "stream" ? "sky" : u.side === "batch" ? "amber" : "slate"}>{u.side} side</Badge>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      </div>
      <ConfirmDialog open={confirming} title={`Delete table ${spec.name}?`} confirmLabel="Delete table" busy={remove.isPending} onCancel={() => setConfirming(false)} onConfirm={() => remove.mutate({ project, name: spec.name })}>
        {usedBy.length ? `It is bound by ${usedBy.map((u) => u.metaTable).join(", ")}; the catalog will refuse until those bindings are removed.` : "You can undo right after deleting."}
      </ConfirmDialog>
    </>
  );
}

function Term({ label, children }: { label: string; children: ReactNode }) {
  return <><dt className="text-xs font-medium text-slate-500">{label}</dt><dd>{children}</dd></>;
}

function Muted({ children }: { children: ReactNode }) {
  return <span className="text-slate-400">{children}</span>;
}
