import type { ReactNode } from "react";
import { Shell } from "../../_components/shell";

export default async function ProjectLayout({ children, params }: { children: ReactNode; params: Promise<{ project: string }> }) {
  const { project } = await params;
  return <Shell project={decodeURIComponent(project)}>{children}</Shell>;
}
