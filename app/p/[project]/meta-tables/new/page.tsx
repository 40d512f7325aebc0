"use client";

import { use } from "react";
import { MetaTableEditor } from "../../../../_components/meta-table/editor";

export default function NewMetaTablePage({ params }: { params: Promise<{ project: string }> }) {
  const project = decodeURIComponent(use(params).project);
  return <MetaTableEditor project={project} />;
}
