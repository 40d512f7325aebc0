"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { Wordmark } from "./_components/shell";
import { ErrorState, Skeleton } from "./_components/ui";
import { useTRPC } from "./_lib/trpc/client";

// `/` opens the first project, or explains how to create one.
export default function Home() {
  const trpc = useTRPC();
  const router = useRouter();
  const projects = useQuery(trpc.catalog.projects.queryOptions());
  const first = projects.data?.[0];
  useEffect(() => {
    if (first) router.replace(`/p/${encodeURIComponent(first.name)}`);
  }, [first, router]);
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-900 p-8">
      <div className="w-full max-w-lg rounded-xl bg-white p-8 shadow-xl">
        <div className="mb-6 rounded-lg bg-slate-900 px-4 py-3"><Wordmark /></div>
        {projects.isPending || first ? (
          <div className="space-y-3" role="status" aria-label="Opening the workbench">
            <Skeleton className="h-5 w-1/2" />
            <Skeleton className="h-4 w-3/4" />
          </div>
        ) : projects.isError ? (
          <ErrorState error={projects.error} onRetry={() => void projects.refetch()} />
        ) : (
          <div>
            <h1 className="text-lg font-semibold text-slate-900">No project yet</h1>
            <p className="mt-2 text-sm text-slate-600">
              A project holds connections, tables, meta-tables and jobs. Describe one in a project file and apply it:
            </p>
            <pre className="mt-3 rounded-md bg-slate-900 px-3 py-2 font-mono text-sm text-slate-100">tandem apply -f &lt;file&gt;</pre>
            <p className="mt-3 text-sm text-slate-600">
              <code className="rounded bg-slate-100 px-1">examples/double11.yaml</code> is a complete example (the Double 11 coupon campaign).
            </p>
          </div>
        )}
      </div>
    </main>
  );
}
