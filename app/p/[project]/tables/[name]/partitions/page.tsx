"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { use } from "react";
import { Badge, EmptyState, ErrorState, PageHeader, SkeletonRows } from "../../../../../_components/ui";
import { relativeTime } from "../../../../../_lib/format";
import { useTRPC } from "../../../../../_lib/trpc/client";

// A table's daily partitions: ready or not, rows, who produced it (the instance, linked), and the latest
// result of each quality rule on it, failed first.

const dayText = (p: string) => p.replace(/^(\d{4})(\d{2})(\d{2})$/, "$1-$2-$3");

export default function PartitionsPage({ params }: { params: Promise<{ project: string; name: string }> }) {
  const p = use(params);
  const project = decodeURIComponent(p.project);
  const table = decodeURIComponent(p.name);
  const base = `/p/${encodeURIComponent(project)}`;
  const trpc = useTRPC();
  const partitions = useQuery(trpc.quality.partitions.queryOptions({ project, table, limit: 120 }, { refetchInterval: 30_000 }));
  return (
    <>
      <PageHeader
        title={<>Partitions of <span className="font-mono">{table}</span></>}
        description="A partition is ready once the instance that writes it succeeded and its blocking quality rules passed (or someone marked it ready). Jobs downstream wait for it."
        actions={<Link href={`${base}/quality?table=${encodeURIComponent(table)}`} className="text-sm font-medium text-indigo-700 hover:underline">Quality rules →</Link>}
      />
      {partitions.isPending ? <SkeletonRows rows={5} /> : partitions.isError ? <ErrorState error={partitions.error} onRetry={() => void partitions.refetch()} /> : partitions.data.length === 0 ? (
        <EmptyState title="No partition yet">
          A partition appears when a batch instance writes it, when it is marked ready (<code className="font-mono text-xs">tandem mark-ready --table {table} --partition YYYY-MM-DD</code>), or once a quality check has run on it.
        </EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-xs">
          <table className="w-full min-w-[56rem] text-sm" aria-label="Partitions">
            <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2.5">Partition</th>
                <th scope="col" className="px-4 py-2.5">Readiness</th>
                <th scope="col" className="px-4 py-2.5 text-right">Rows</th>
                <th scope="col" className="px-4 py-2.5">Producer</th>
                <th scope="col" className="w-[40%] px-4 py-2.5">Quality</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {partitions.data.map((row) => (
                <tr key={row.partition} className="align-top hover:bg-slate-50">
                  <td className="px-4 py-2.5 font-mono text-[12.5px] whitespace-nowrap">{dayText(row.partition)}</td>
                  <td className="px-4 py-2.5">
                    <Badge tone={row.ready ? "emerald" : "slate"}>{row.ready ? "ready" : "not ready"}</Badge>
                    {row.readyAt ? <p className="mt-0.5 text-xs text-slate-500"><time dateTime={row.readyAt.toISOString()}>{relativeTime(row.readyAt)}</time>{row.markedBy ? ` · ${row.markedBy}` : ""}</p> : null}
                  </td>
                  <td className="px-4 py-2.5 text-right tabular-nums">{row.rows === null ? <span className="text-slate-400">—</span> : row.rows.toLocaleString("en")}</td>
                  <td className="px-4 py-2.5">
                    {row.producer ? (
                      <Link href={`${base}/instances/${encodeURIComponent(row.producer.job)}/${row.producer.bizdate}`} className="font-mono text-[12.5px] whitespace-nowrap text-indigo-700 hover:underline">
                        {row.producer.job} · {dayText(row.producer.bizdate)}
                      </Link>
                    ) : <span className="text-xs text-slate-400">{row.ready ? "marked by hand" : "—"}</span>}
                    {row.producer ? <p className="text-xs text-slate-500">{row.producer.state}</p> : null}
                  </td>
                  <td className="px-4 py-2.5">
                    {row.results.length === 0 ? <span className="text-xs text-slate-400">not checked</span> : (
                      <ul className="space-y-0.5">
                        {row.results.map((r) => (
                          <li key={r.rule} className="flex min-w-0 items-start gap-1.5">
                            <Badge tone={r.passed ? "emerald" : r.severity === "blocking" ? "rose" : "amber"}>{r.passed ? "✓" : "✗"}</Badge>
                            <Link href={`${base}/quality?table=${encodeURIComponent(table)}&partition=${row.partition}&rule=${encodeURIComponent(r.rule)}`} className="min-w-0 break-words text-slate-700 hover:underline" title={r.message}>
                              <span className="font-mono text-[12px]">{r.rule}</span>{r.passed ? null : <span className="text-xs text-rose-700">: {r.message}</span>}
                            </Link>
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
