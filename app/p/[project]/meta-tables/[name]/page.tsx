"use client";

import { useQuery } from "@tanstack/react-query";
import { use } from "react";
import { MetaTableEditor } from "../../../../_components/meta-table/editor";
import { EmptyState, ErrorState, LinkButton, Skeleton, SkeletonRows } from "../../../../_components/ui";
import { useTRPC } from "../../../../_lib/trpc/client";

export default function MetaTablePage({ params }: { params: Promise<{ project: string; name: string }> }) {
  const raw = use(params);
  const project = decodeURIComponent(raw.project);
  const name = decodeURIComponent(raw.name);
  const trpc = useTRPC();
  const detail = useQuery({ ...trpc.catalog.metaTables.get.queryOptions({ project, name }), retry: false });
  if (detail.isPending) {
    return (
      <div className="space-y-4" role="status" aria-label="Loading meta-table">
        <Skeleton className="h-7 w-64" />
        <Skeleton className="h-20 w-full" />
        <SkeletonRows rows={8} />
      </div>
    );
  }
  if (detail.isError) {
    if (detail.error.data?.code === "NOT_FOUND") {
      return (
        <EmptyState title={`Meta-table ${name} does not exist`} action={<LinkButton href={`/p/${encodeURIComponent(project)}/meta-tables`}>All meta-tables</LinkButton>}>
          It may have been deleted or renamed.
        </EmptyState>
      );
    }
    return <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />;
  }
  // Keyed by the stored version so a reload after saving starts from the saved spec.
  return <MetaTableEditor key={`${name}@${detail.data.updatedAt.getTime()}`} project={project} initial={detail.data} />;
}
