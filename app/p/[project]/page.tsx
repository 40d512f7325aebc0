"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { use, type ReactNode } from "react";
import { Card, EmptyState, ErrorState, KindBadge, LinkButton, PageHeader, Skeleton, SkeletonRows } from "../../_components/ui";
import { plural, relativeTime } from "../../_lib/format";
import { useTRPC } from "../../_lib/trpc/client";

export default function OverviewPage({ params }: { params: Promise<{ project: string }> }) {
  const project = decodeURIComponent(use(params).project);
  const base = `/p/${encodeURIComponent(project)}`;
  const trpc = useTRPC();
  const projects = useQuery(trpc.catalog.projects.queryOptions());
  const connections = useQuery(trpc.catalog.connections.list.queryOptions({ project }));
  const tables = useQuery(trpc.catalog.tables.list.queryOptions({ project, pageSize: 6, sort: "updatedAt", direction: "desc" }));
  const streams = useQuery(trpc.catalog.tables.list.queryOptions({ project, pageSize: 1, kind: "stream" }));
  const metaTables = useQuery(trpc.catalog.metaTables.list.queryOptions({ project, pageSize: 6 }));
  const description = projects.data?.find((p) => p.name === project)?.description;

  return (
    <>
      <PageHeader title={project} description={description || "Project overview"} />
      <div className="mb-6 grid grid-cols-1 gap-4 sm:grid-cols-3">
        <Stat label="Connections" href={`${base}/connections`} value={connections.data?.length} />
        <Stat
          label="Physical tables"
          href={`${base}/tables`}
          value={tables.data?.total}
          detail={tables.data && streams.data ? `${streams.data.total} stream · ${tables.data.total - streams.data.total} batch` : undefined}
        />
        <Stat label="Meta-tables" href={`${base}/meta-tables`} value={metaTables.data?.total} />
      </div>
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-3">
        <Card title="Connections" actions={<Link className="text-xs font-medium text-indigo-600 hover:underline" href={`${base}/connections`}>All</Link>} padded={false}>
          {connections.isPending ? <div className="p-4"><SkeletonRows rows={3} /></div> : connections.isError ? <div className="p-4"><ErrorState error={connections.error} /></div> : connections.data.length === 0 ? (
            <div className="p-4"><EmptyState title="No connections">A connection describes a physical system: a Kafka cluster, a warehouse path, a database.</EmptyState></div>
          ) : (
            <ul className="divide-y divide-slate-100">
              {connections.data.slice(0, 6).map((c) => (
                <ListRow key={c.id} href={`${base}/connections#${c.name}`} title={c.name} meta={<><span className="text-slate-500">{c.type}</span><span className="text-slate-400">{plural(c.tableCount, "table")}</span></>} />
              ))}
            </ul>
          )}
        </Card>
        <Card title="Recently changed tables" actions={<Link className="text-xs font-medium text-indigo-600 hover:underline" href={`${base}/tables`}>All</Link>} padded={false}>
          {tables.isPending ? <div className="p-4"><SkeletonRows rows={3} /></div> : tables.isError ? <div className="p-4"><ErrorState error={tables.error} /></div> : tables.data.rows.length === 0 ? (
            <div className="p-4"><EmptyState title="No tables" action={<LinkButton href={`${base}/tables/new`}>New table</LinkButton>}>Physical tables describe data in a connection, the way Flink does.</EmptyState></div>
          ) : (
            <ul className="divide-y divide-slate-100">
              {tables.data.rows.map((t) => (
                <ListRow key={t.id} href={`${base}/tables/${encodeURIComponent(t.name)}`} title={t.name} meta={<><KindBadge kind={t.kind} /><span className="text-slate-400">{relativeTime(t.updatedAt)}</span></>} />
              ))}
            </ul>
          )}
        </Card>
        <Card title="Meta-tables" actions={<Link className="text-xs font-medium text-indigo-600 hover:underline" href={`${base}/meta-tables`}>All</Link>} padded={false}>
          {metaTables.isPending ? <div className="p-4"><SkeletonRows rows={3} /></div> : metaTables.isError ? <div className="p-4"><ErrorState error={metaTables.error} /></div> : metaTables.data.rows.length === 0 ? (
            <div className="p-4"><EmptyState title="No meta-tables" action={<LinkButton href={`${base}/meta-tables/new`}>New meta-table</LinkButton>}>A meta-table is one logical table over a stream table and a batch table.</EmptyState></div>
          ) : (
            <ul className="divide-y divide-slate-100">
              {metaTables.data.rows.map((m) => (
                <ListRow
                  key={m.id}
                  href={`${base}/meta-tables/${encodeURIComponent(m.name)}`}
                  title={m.name}
                  meta={<><KindBadge kind={m.kind} /><span className="text-slate-400">{plural(m.columnCount, "column")}</span></>}
                />
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}

function Stat({ label, value, href, detail }: { label: string; value: number | undefined; href: string; detail?: string }) {
  return (
    <Link href={href} className="group rounded-lg border border-slate-200 bg-white px-4 py-3.5 shadow-xs hover:border-indigo-300 focus-visible:outline-2 focus-visible:outline-indigo-500">
      <p className="text-xs font-medium text-slate-500">{label}</p>
      {value === undefined ? <Skeleton className="mt-2 h-7 w-12" /> : <p className="mt-1 text-2xl font-semibold text-slate-900 tabular-nums">{value.toLocaleString("en")}</p>}
      <p className="mt-0.5 h-4 text-xs text-slate-400">{detail}</p>
    </Link>
  );
}

function ListRow({ href, title, meta }: { href: string; title: string; meta: ReactNode }) {
  return (
    <li>
      <Link href={href} className="flex items-center justify-between gap-3 px-4 py-2.5 text-sm hover:bg-slate-50">
        <span className="truncate font-medium text-slate-800">{title}</span>
        <span className="flex shrink-0 items-center gap-2 text-xs">{meta}</span>
      </Link>
    </li>
  );
}
