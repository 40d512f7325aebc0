"use client";

import { useQuery } from "@tanstack/react-query";
import { use } from "react";
import { TableForm } from "../../../../../_components/table-form";
import { ErrorState, SkeletonRows } from "../../../../../_components/ui";
import { useTRPC } from "../../../../../_lib/trpc/client";

export default function EditTablePage({ params }: { params: Promise<{ project: string; name: string }> }) {
  const raw = use(params);
  const project = decodeURIComponent(raw.project);
  const name = decodeURIComponent(raw.name);
  const trpc = useTRPC();
  const detail = useQuery({ ...trpc.catalog.tables.get.queryOptions({ project, name }), retry: false });
  if (detail.isPending) return <SkeletonRows rows={8} />;
  if (detail.isError) return <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />;
  return <TableForm key={detail.data.updatedAt.getTime()} project={project} existing={detail.data.spec} />;
}
