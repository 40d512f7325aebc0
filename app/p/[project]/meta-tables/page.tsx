"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { use, useState } from "react";
import { Button, cx, EmptyState, ErrorState, inputClass, KindBadge, LinkButton, PageHeader, SkeletonRows } from "../../../_components/ui";
import { relativeTime } from "../../../_lib/format";
import { useTRPC } from "../../../_lib/trpc/client";
import { useDebounced } from "../../../_lib/use-debounced";

const PAGE_SIZE = 50;

export default function MetaTablesPage({ params }: { params: Promise<{ project: string }> }) {
  const project = decodeURIComponent(use(params).project);
  const base = `/p/${encodeURIComponent(project)}`;
  const trpc = useTRPC();
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(0);
  const debounced = useDebounced(search.trim(), 250);
  const list = useQuery({ ...trpc.catalog.metaTables.list.queryOptions({ project, page, pageSize: PAGE_SIZE, search: debounced }), placeholderData: keepPreviousData });
  const total = list.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const tableLink = (t: string) => <Link href={`${base}/tables/${encodeURIComponent(t)}`} className="font-mono text-xs text-slate-700 hover:text-indigo-700 hover:underline">{t}</Link>;

  return (
    <>
      <PageHeader
        title="Meta-tables"
        description="Logical tables your SQL reads: one physical table, or a stream side and a batch side aligned column by column."
        actions={<LinkButton variant="primary" href={`${base}/meta-tables/new`}>New meta-table</LinkButton>}
      />
      <div className="mb-3 flex items-end gap-3">
        <div className="w-72">
          <label htmlFor="meta-search" className="mb-1 block text-xs font-medium text-slate-600">Search meta-tables</label>
          <input id="meta-search" type="search" value={search} onChange={(e) => { setSearch(e.target.value); setPage(0); }} placeholder="Name or description" className={inputClass} />
        </div>
        <p className="ml-auto text-sm text-slate-500">{list.data ? `${total} ${total === 1 ? "meta-table" : "meta-tables"}` : ""}</p>
      </div>
      {list.isPending ? <SkeletonRows rows={4} /> : list.isError ? <ErrorState error={list.error} onRetry={() => void list.refetch()} /> : list.data.rows.length === 0 ? (
        <EmptyState
          title={debounced ? "No meta-table matches" : "No meta-tables yet"}
          action={debounced ? undefined : <LinkButton variant="primary" href={`${base}/meta-tables/new`}>New meta-table</LinkButton>}
        >
          {debounced ? "Try another search." : "Create one over a stream table and a batch table, and write your SQL once."}
        </EmptyState>
      ) : (
        <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-xs">
          <table className={cx("w-full text-sm", list.isPlaceholderData && "opacity-60")} aria-label="Meta-tables">
            <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2.5">Name</th>
                <th scope="col" className="px-4 py-2.5">Mode</th>
                <th scope="col" className="px-4 py-2.5">Bound tables</th>
                <th scope="col" className="px-4 py-2.5">Columns</th>
                <th scope="col" className="px-4 py-2.5">Owner</th>
                <th scope="col" className="px-4 py-2.5">Updated</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {list.data.rows.map((m) => (
                <tr key={m.id} className="hover:bg-slate-50">
                  <td className="px-4 py-2.5">
                    <Link href={`${base}/meta-tables/${encodeURIComponent(m.name)}`} className="font-medium text-indigo-700 hover:underline">{m.name}</Link>
                    {m.description ? <p className="max-w-md truncate text-xs text-slate-500">{m.description}</p> : null}
                  </td>
                  <td className="px-4 py-2.5"><KindBadge kind={m.kind} /></td>
                  <td className="px-4 py-2.5">
                    {m.kind === "mixed" ? (
                      <div className="space-y-0.5">
                        <p className="flex items-center gap-1.5"><span className="w-12 text-xs text-sky-700">stream</span>{m.streamTable ? tableLink(m.streamTable) : "—"}</p>
                        <p className="flex items-center gap-1.5"><span className="w-12 text-xs text-amber-700">batch</span>{m.batchTable ? tableLink(m.batchTable) : "—"}</p>
                      </div>
                    ) : m.sourceTable ? tableLink(m.sourceTable) : "—"}
                  </td>
                  <td className="px-4 py-2.5 tabular-nums">{m.columnCount}</td>
                  <td className="px-4 py-2.5 text-slate-600">{m.owner || <span className="text-slate-400">—</span>}</td>
                  <td className="px-4 py-2.5 text-slate-500"><time dateTime={m.updatedAt.toISOString()}>{relativeTime(m.updatedAt)}</time></td>
                </tr>
              ))}
            </tbody>
          </table>
          {pages > 1 ? (
            <div className="flex items-center justify-end gap-2 border-t border-slate-200 bg-slate-50 px-4 py-2 text-xs">
              <Button size="sm" onClick={() => setPage((p) => p - 1)} disabled={page === 0}>Previous</Button>
              <span>Page {page + 1} of {pages}</span>
              <Button size="sm" onClick={() => setPage((p) => p + 1)} disabled={page >= pages - 1}>Next</Button>
            </div>
          ) : null}
        </div>
      )}
    </>
  );
}
