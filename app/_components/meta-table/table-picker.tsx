"use client";

import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import type { PhysicalTable } from "../../_lib/api-types";
import { useTRPC } from "../../_lib/trpc/client";
import { useDebounced } from "../../_lib/use-debounced";
import { cx, FieldErrors, inputClass } from "../ui";
import type { Side } from "./model";

const SIDE_LABEL: Record<Side, string> = { source: "Source table", stream: "Stream table", batch: "Batch table" };

/**
 * Picks the physical table of one side from the catalog, filtered by kind on the server (stream tables
 * for the stream side, batch tables for the batch side). A filter box narrows large catalogs; batch
 * tables without a partition spec are listed but disabled, with the reason.
 */
export function TablePicker({ project, side, value, onChange, errors, detail }: {
  project: string; side: Side; value: string; onChange: (table: string) => void; errors: string[]; detail: PhysicalTable | undefined;
}) {
  const trpc = useTRPC();
  const id = useId();
  const [filter, setFilter] = useState("");
  const search = useDebounced(filter.trim(), 250);
  const list = useQuery(trpc.catalog.tables.list.queryOptions({
    project, pageSize: 200, sort: "name", search, ...(side === "source" ? {} : { kind: side }),
  }));
  const rows = list.data?.rows ?? [];
  const missing = value && !rows.some((r) => r.name === value);
  return (
    <div>
      <div className="flex items-end gap-2">
        <div className="min-w-0 flex-1">
          <label htmlFor={id} className="mb-1 block text-xs font-medium text-slate-600">{SIDE_LABEL[side]}</label>
          <select id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={errors.length > 0} className={cx(inputClass, "font-mono text-[13px]")}>
            <option value="">{list.isPending ? "Loading tables…" : `Choose a ${side === "source" ? "" : `${side} `}table…`}</option>
            {missing ? <option value={value}>{value}</option> : null}
            {rows.map((r) => {
              const unusable = side === "batch" && !r.partitioned;
              return (
                <option key={r.id} value={r.name} disabled={unusable && r.name !== value}>
                  {r.name}{unusable ? " (no partition spec)" : ""}
                </option>
              );
            })}
          </select>
        </div>
        <div className="w-20 shrink-0">
          <label htmlFor={`${id}-filter`} className="sr-only">Filter {side} tables</label>
          <input id={`${id}-filter`} type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Filter…" className={inputClass} />
        </div>
      </div>
      {detail ? (
        <p className="mt-1 text-xs break-words text-slate-500">
          {detail.connection} · {detail.columns.length + detail.computedColumns.length} columns
          {detail.partition ? ` · partitioned by ${detail.partition.column} (${detail.partition.format})` : ""}
          {detail.watermark ? ` · watermark on ${detail.watermark.column}` : ""}
        </p>
      ) : null}
      {list.data && list.data.total > rows.length ? <p className="mt-1 text-xs text-slate-400">Showing {rows.length} of {list.data.total}; filter to find others.</p> : null}
      <FieldErrors messages={errors} />
    </div>
  );
}
