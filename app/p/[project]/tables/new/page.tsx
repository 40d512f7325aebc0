"use client";

import { use } from "react";
import { TableForm } from "../../../../_components/table-form";

export default function NewTablePage({ params }: { params: Promise<{ project: string }> }) {
  return <TableForm project={decodeURIComponent(use(params).project)} />;
}
