"use client";

import {
  flexRender, getCoreRowModel, getFilteredRowModel, getSortedRowModel, useReactTable,
  type ColumnDef, type Row, type SortingState,
} from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { plural } from "../_lib/format";
import { cx, inputBase } from "./ui";

// The console's lists: a real <table> (screen readers and tests see rows and cells) whose body renders only
// the rows in view plus a few (TanStack Virtual, fixed row height), with sortable columns, a filter box and a
// sticky header. Sort and filter live in the URL (`?sort=-name&q=coupon`) so a view can be shared.

export type DataColumn<T> = ColumnDef<T> & {
  /** Fixed width in px (the table lays out by these, so rows never reflow while scrolling). */
  size?: number;
  /** Right-align numbers. */
  align?: "left" | "right";
};

export interface DataTableProps<T> {
  label: string;
  data: T[];
  columns: DataColumn<T>[];
  getRowId: (row: T) => string;
  /** Row height in px (fixed: the virtualizer does not measure). */
  rowHeight?: number;
  /** Height of the scrolling body (CSS length). */
  height?: string;
  /** Search-param names, so two tables on one page do not share them. */
  params?: { sort?: string; filter?: string };
  filterPlaceholder?: string;
  /** Rendered left of the filter box (extra filters of the page). */
  toolbar?: ReactNode;
  /** Shown instead of the body when the filter leaves no row. */
  emptyFilter?: ReactNode;
  defaultSort?: SortingState;
}

/** `-name,owner` ⇄ [{ id: "name", desc: true }, { id: "owner", desc: false }] */
export function parseSort(text: string | null): SortingState {
  if (!text) return [];
  return text.split(",").filter(Boolean).map((s) => (s.startsWith("-") ? { id: s.slice(1), desc: true } : { id: s, desc: false }));
}

export function formatSort(sorting: SortingState): string {
  return sorting.map((s) => `${s.desc ? "-" : ""}${s.id}`).join(",");
}

/** Replaces some search params of the current URL (null removes one), without scrolling or a history entry. */
export function useSetSearchParams(): (changes: Record<string, string | null>) => void {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  return (changes) => {
    const next = new URLSearchParams(search.toString());
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === "") next.delete(k);
      else next.set(k, v);
    }
    const qs = next.toString();
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  };
}

const NO_SORT: SortingState = [];

export function DataTable<T>({
  label, data, columns, getRowId, rowHeight = 40, height = "calc(100vh - 240px)", params, filterPlaceholder = "Filter…", toolbar, emptyFilter, defaultSort = NO_SORT,
}: DataTableProps<T>) {
  const sortParam = params?.sort ?? "sort";
  const filterParam = params?.filter ?? "q";
  const search = useSearchParams();
  const setParams = useSetSearchParams();
  const urlSort = search.get(sortParam);
  const sorting = useMemo(() => (urlSort === null ? defaultSort : parseSort(urlSort)), [urlSort, defaultSort]);
  const urlFilter = search.get(filterParam) ?? "";
  // The box answers every keystroke; the URL follows a moment later.
  const [filter, setFilter] = useState(urlFilter);
  useEffect(() => setFilter(urlFilter), [urlFilter]);
  const latest = useRef(setParams);
  latest.current = setParams;
  useEffect(() => {
    if (filter === urlFilter) return;
    const t = setTimeout(() => latest.current({ [filterParam]: filter || null }), 250);
    return () => clearTimeout(t);
  }, [filter, urlFilter, filterParam]);

  const table = useReactTable({
    data, columns, getRowId: (r) => getRowId(r),
    state: { sorting, globalFilter: filter },
    onSortingChange: (updater) => {
      const next = typeof updater === "function" ? updater(sorting) : updater;
      latest.current({ [sortParam]: formatSort(next) || null });
    },
    globalFilterFn: "includesString",
    // No pagination here: without this, every new sorting state would queue a page-index reset, a state
    // change, a render and so on (an endless microtask loop that freezes the page).
    autoResetAll: false,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
  });
  const rows = table.getRowModel().rows;
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => rowHeight, overscan: 12 });
  const items = virtual.getVirtualItems();
  const top = items[0]?.start ?? 0;
  const bottom = virtual.getTotalSize() - (items[items.length - 1]?.end ?? 0);
  const width = columns.reduce((w, c) => w + (c.size ?? 160), 0);

  return (
    <div className="rounded-lg border border-slate-200 bg-white shadow-xs">
      <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-3 py-2">
        {toolbar}
        <input
          type="search" aria-label={`Filter ${label.toLowerCase()}`} placeholder={filterPlaceholder} value={filter}
          onChange={(e) => setFilter(e.target.value)} className={cx(inputBase, "ml-auto w-64")}
        />
        <span className="text-xs whitespace-nowrap text-slate-500" aria-live="polite">
          {rows.length === data.length ? plural(data.length, "row") : `${rows.length.toLocaleString("en")} of ${plural(data.length, "row")}`}
        </span>
      </div>
      <div ref={scroller} data-testid="data-table-scroller" className="overflow-auto" style={{ maxHeight: height }}>
        <table aria-label={label} aria-rowcount={rows.length + 1} className="w-full table-fixed text-sm" style={{ minWidth: width }}>
          <colgroup>{columns.map((c, i) => <col key={c.id ?? i} style={{ width: c.size ?? 160 }} />)}</colgroup>
          <thead className="sticky top-0 z-10 bg-slate-50 text-left text-xs font-medium text-slate-500 shadow-[inset_0_-1px_0] shadow-slate-200">
            {table.getHeaderGroups().map((g) => (
              <tr key={g.id}>
                {g.headers.map((h) => {
                  const sorted = h.column.getIsSorted();
                  const align = (h.column.columnDef as DataColumn<T>).align;
                  return (
                    <th key={h.id} scope="col" aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined} className={cx("h-9 px-3 font-medium", align === "right" && "text-right")}>
                      {h.column.getCanSort() ? (
                        <button type="button" onClick={h.column.getToggleSortingHandler()} className="inline-flex items-center gap-1 whitespace-nowrap hover:text-slate-800">
                          {flexRender(h.column.columnDef.header, h.getContext())}
                          <span aria-hidden className="w-3 text-slate-400">{sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : ""}</span>
                        </button>
                      ) : flexRender(h.column.columnDef.header, h.getContext())}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {top > 0 ? <tr aria-hidden style={{ height: top }} /> : null}
            {items.map((vi) => {
              const row = rows[vi.index] as Row<T>;
              return (
                <tr key={row.id} aria-rowindex={vi.index + 2} className="border-t border-slate-100 hover:bg-slate-50" style={{ height: rowHeight }}>
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className={cx("truncate px-3 whitespace-nowrap", (cell.column.columnDef as DataColumn<T>).align === "right" && "text-right tabular-nums")}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              );
            })}
            {bottom > 0 ? <tr aria-hidden style={{ height: bottom }} /> : null}
          </tbody>
        </table>
        {rows.length === 0 ? <div className="px-4 py-8 text-center text-sm text-slate-500">{emptyFilter ?? "No row matches the filter."}</div> : null}
      </div>
    </div>
  );
}
