"use client";

import { Suspense, use } from "react";
import { PageHeader, Skeleton } from "../../../_components/ui";
import { LineageView } from "./_components/lineage-view";

// The lineage graph of a project (React Flow and ELK load with this page only).

export default function LineagePage({ params }: { params: Promise<{ project: string }> }) {
  const project = decodeURIComponent(use(params).project);
  return (
    <>
      <PageHeader title="Lineage" description="Tables and the deployed jobs that read and write them, stream and batch sides together. Select a node for its upstream and downstream; a table's column for its impact." />
      <Suspense fallback={<Skeleton className="h-[28rem] w-full" />}>
        <LineageView project={project} />
      </Suspense>
    </>
  );
}
