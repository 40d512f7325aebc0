"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable, type SortingState } from "@tanstack/react-table";
import Link from "next/link";
import { use, useMemo, useState } from "react";
import { Badge, Button, cx, EmptyState, ErrorState, inputClass, KindBadge, LinkButton, PageHeader, Skeleton } from "../../../_components/ui";
import type { TableRow, TableSort } from "../../../_lib/api-types";
import { relativeTime } from "../../../_lib/format";
import { useTRPC } from "../../../_lib/trpc/client";
import { useDebounced } from "../../../_lib/use-debounced";

// Paging, sorting and filtering happen on the server; the browser renders one page only, so a
// project with 10,000 tables feels the same as one with ten.

const PAGE_SIZES = [25, 50, 100];
const SORTABLE = new Set<string>(["name", "kind", "connection", "columnCount", "updatedAt"]);
const col = createColumnHelper<TableRow>();

export default function TablesPage({ params }: { params: Promise<{ project: string }> }) {
  const project = decodeURIComponent(use(params).project);
  const base = `/p/${encodeURIComponent(project)}`;
  const trpc = useTRPC();
  const [search, setSearch] = useState("");
  const [kind, setKind] = useState<"" | "stream" | "batch">("");
  const [connection, setConnection] = useState("");
  const [sorting, setSorting] = useState<SortingState>([{ id: "name", desc: false }]);
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(50);
  const debouncedSearch = useDebounced(search.trim(), 250);
  const sort = sorting[0];

  const connections = useQuery(trpc.catalog.connections.list.queryOptions({ project }));
  const list = useQuery({
    ...trpc.catalog.tables.list.queryOptions({
      project, page, pageSize, search: debouncedSearch,
      sort: (sort && SORTABLE.has(sort.id) ? sort.id : "name") as TableSort,
      direction: sort?.desc ? "desc" : "asc",
      ...(kind ? { kind } : {}),
      ...(connection ? { connection } : {}),
    }),
    placeholderData: keepPreviousData,
  });

  const columns = useMemo(() => [
    col.accessor("name", {
      header: "Name",
      cell: (c) => (
        <div className="min-w-0">
          <Link href={`${base}/tables/${encodeURIComponent(c.getValue())}`} className="font-medium text-indigo-700 hover:underline">{c.getValue()}</Link>
          {c.row.original.description ? <p className="truncate text-xs text-slate-500">{c.row.original.description}</p> : null}
        </div>
      ),
    }),
    col.accessor("kind", { header: "Kind", cell: (c) => <KindBadge kind={c.getValue()} /> }),
    col.accessor("connection", {
      header: "Connection",
      cell: (c) => <span className="text-slate-700">{c.getValue()} <span className="text-xs text-slate-400">{c.row.original.connectionType}</span></span>,
    }),
    col.accessor("columnCount", { header: "Columns", cell: (c) => <span className="tabular-nums">{c.getValue()}</span> }),
    col.accessor("partitioned", { header: "Partitioned", enableSorting: false, cell: (c) => (c.getValue() ? <Badge tone="emerald">partitioned</Badge> : <span className="text-slate-400">—</span>) }),
    col.accessor("updatedAt", { header: "Updated", cell: (c) => <time dateTime={c.getValue().toISOString()} title={c.getValue().toLocaleString()} className="text-slate-500">{relativeTime(c.getValue())}</time> }),
  ], [base]);

  const total = list.data?.total ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const table = useReactTable({
    data: list.data?.rows ?? [],
    columns,
    getCoreRowModel: getCoreRowModel(),
    manualPagination: true,
    manualSorting: true,
    manualFiltering: true,
    pageCount,
    state: { sorting, pagination: { pageIndex: page, pageSize } },
    onSortingChange: (updater) => { setSorting(updater); setPage(0); },
    enableSortingRemoval: false,
    getRowId: (r) => r.id,
  });

  const filtered = debouncedSearch !== "" || kind !== "" || connection !== "";
  return (
    <>
      <PageHeader
        title="Tables"
        description="Physical tables: stream (unbounded) and batch (bounded, partitioned) tables in your connections."
        actions={<LinkButton variant="primary" href={`${base}/tables/new`}>New table</LinkButton>}
      />
      <div className="mb-3 flex flex-wrap items-end gap-3">
        <div className="w-72">
          <label htmlFor="table-search" className="mb-1 block text-xs font-medium text-slate-600">Search tables</label>
          <input id="table-search" type="search" value={search} placeholder="Name or description" className={inputClass}
            onChange={(e) => { setSearch(e.target.value); setPage(0); }} />
        </div>
        <div className="w-36">
          <label htmlFor="table-kind" className="mb-1 block text-xs font-medium text-slate-600">Kind</label>
          <select id="table-kind" value={kind} className={inputClass} onChange={(e) => { setKind(e.target.value as "" | "stream" | "batch"); setPage(0); }}>
            <option value="">All kinds</option>
            <option value="stream">stream</option>
            <option value="batch">batch</option>
          </select>
        </div>
        <div className="w-52">
          <label htmlFor="table-connection" className="mb-1 block text-xs font-medium text-slate-600">Connection</label>
          <select id="table-connection" value={connection} className={inputClass} onChange={(e) => { setConnection(e.target.value); setPage(0); }}>
            <option value="">All connections</option>
            {connections.data?.map((c) => <option key={c.id} value={c.name}>{c.name}</option>)}
          </select>
        </div>
        {filtered ? <Button variant="ghost" onClick={() => { setSearch(""); setKind(""); setConnection(""); setPage(0); }}>Clear filters</Button> : null}
        <p className="ml-auto text-sm text-slate-500" aria-live="polite">
          {list.data ? `${total.toLocaleString("en")} ${total === 1 ? "table" : "tables"}` : " "}
          {list.isFetching && list.data ? <span className="ml-2 text-xs text-slate-400">updating…</span> : null}
        </p>
      </div>

      {list.isError ? <ErrorState error={list.error} onRetry={() => void list.refetch()} /> : (
        <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-xs">
          <table className="w-full table-fixed text-sm" aria-label="Physical tables">
            <colgroup>
              <col className="w-[38%]" /><col className="w-[9%]" /><col className="w-[20%]" /><col className="w-[9%]" /><col className="w-[11%]" /><col className="w-[13%]" />
            </colgroup>
            <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium text-slate-500">
              {table.getHeaderGroups().map((hg) => (
                <tr key={hg.id}>
                  {hg.headers.map((h) => {
                    const sorted = h.column.getIsSorted();
                    return (
                      <th key={h.id} scope="col" className="px-4 py-2.5" aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}>
                        {h.column.getCanSort() ? (
                          <button type="button" onClick={h.column.getToggleSortingHandler()} className="inline-flex items-center gap-1 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-500">
                            {flexRender(h.column.columnDef.header, h.getContext())}
                            <span aria-hidden className={cx("text-[10px]", sorted ? "text-indigo-600" : "text-slate-300")}>{sorted === "desc" ? "▼" : "▲"}</span>
                          </button>
                        ) : flexRender(h.column.columnDef.header, h.getContext())}
                      </th>
                    );
                  })}
                </tr>
              ))}
            </thead>
            <tbody className={cx("divide-y divide-slate-100", list.isPlaceholderData && "opacity-60")}>
              {list.isPending
                ? Array.from({ length: 8 }, (_, i) => (
                  <tr key={i}>{columns.map((_c, j) => <td key={j} className="px-4 py-3"><Skeleton className="h-4 w-3/4" /></td>)}</tr>
                ))
                : table.getRowModel().rows.map((r) => (
                  <tr key={r.id} className="hover:bg-slate-50">
                    {r.getVisibleCells().map((c) => <td key={c.id} className="px-4 py-2.5 align-middle">{flexRender(c.column.columnDef.cell, c.getContext())}</td>)}
                  </tr>
                ))}
            </tbody>
          </table>
          {list.data && list.data.rows.length === 0 ? (
            <div className="p-4">
              <EmptyState
                title={filtered ? "No table matches these filters" : "No tables yet"}
                action={filtered ? undefined : <LinkButton href={`${base}/tables/new`} variant="primary">New table</LinkButton>}
              >
                {filtered ? "Try another search or clear the filters." : "Register the topics and warehouse tables your jobs read and write."}
              </EmptyState>
            </div>
          ) : null}
          <div className="flex items-center justify-between gap-3 border-t border-slate-200 bg-slate-50 px-4 py-2 text-sm text-slate-600">
            <div className="flex items-center gap-2">
              <label htmlFor="page-size" className="text-xs">Rows per page</label>
              <select id="page-size" value={pageSize} onChange={(e) => { setPageSize(Number(e.target.value)); setPage(0); }} className="rounded border border-slate-300 bg-white px-1.5 py-0.5 text-xs">
                {PAGE_SIZES.map((n) => <option key={n} value={n}>{n}</option>)}
              </select>
            </div>
            <div className="flex items-center gap-2">
              <span className="text-xs tabular-nums">
                {total === 0 ? "0" : `${(page * pageSize + 1).toLocaleString("en")}–${Math.min(total, (page + 1) * pageSize).toLocaleString("en")}`} of {total.toLocaleString("en")}
              </span>
              <Button size="sm" onClick={() => setPage(0)} disabled={page === 0} aria-label="First page">«</Button>
              <Button size="sm" onClick={() => setPage((p) => Math.max(0, p - 1))} disabled={page === 0}>Previous</Button>
              <span className="text-xs tabular-nums">Page {page + 1} of {pageCount.toLocaleString("en")}</span>
              <Button size="sm" onClick={() => setPage((p) => Math.min(pageCount - 1, p + 1))} disabled={page >= pageCount - 1}>Next</Button>
              <Button size="sm" onClick={() => setPage(pageCount - 1)} disabled={page >= pageCount - 1} aria-label="Last page">»</Button>
            </div>
          </div>
        </div>
      )}
    </>
  );
}
