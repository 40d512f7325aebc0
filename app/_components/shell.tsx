"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import type { ReactNode } from "react";
import { SessionBadge } from "../_lib/auth/session-badge";
import { useTRPC } from "../_lib/trpc/client";
import { ThemeToggle } from "./theme-toggle";
import { ToastProvider } from "./toast";
import { cx } from "./ui";

// The workbench frame: sidebar (wordmark, project switcher, navigation) and a header with the
// breadcrumb and the run mode. The project is in the URL so every page link is shareable.

const NAV = [
  { href: "", label: "Overview", icon: "M3 12l9-8 9 8M5 10v10h14V10" },
  { href: "/connections", label: "Connections", icon: "M8 7h8M8 12h8m-8 5h5M5 3h14v18H5z" },
  { href: "/tables", label: "Tables", icon: "M3 5h18v14H3zM3 10h18M9 10v9" },
  { href: "/meta-tables", label: "Meta-tables", icon: "M4 7h7v10H4zM13 7h7v10h-7zM11 12h2" },
  { href: "/jobs", label: "Jobs", icon: "M5 4l14 8-14 8z" },
  { href: "/metrics", label: "Metric builder", icon: "M4 20V10m6 10V4m6 16v-7m4 7H2" },
  { href: "/instances", label: "Instances", icon: "M4 5h16v15H4zM4 9h16M8 3v4m8-4v4" },
  { href: "/lineage", label: "Lineage", icon: "M6 6h4v4H6zM14 14h4v4h-4zM10 8h4v8" },
  { href: "/quality", label: "Quality", icon: "M12 3l7 3v6c0 4-3 7-7 9-4-2-7-5-7-9V6zM9 12l2 2 4-4" },
  { href: "/health", label: "Health", icon: "M3 12h4l2-5 4 10 2-5h6" },
  { href: "/dashboards", label: "Dashboards", icon: "M4 4h7v7H4zM13 4h7v4h-7zM13 10h7v10h-7zM4 13h7v7H4z" },
] as const;

const SECTION_LABELS: Record<string, string> = { connections: "Connections", tables: "Tables", "meta-tables": "Meta-tables", jobs: "Jobs", new: "New", edit: "Edit", metrics: "Metric builder", instances: "Instances", backfills: "Backfills", lineage: "Lineage", quality: "Quality", health: "Health", dashboards: "Dashboards", partitions: "Partitions" };

export function Shell({ project, children }: { project: string; children: ReactNode }) {
  const pathname = usePathname();
  const base = `/p/${encodeURIComponent(project)}`;
  const rest = pathname.startsWith(base) ? pathname.slice(base.length) : "";
  const crumbs = rest.split("/").filter(Boolean).map(decodeURIComponent);
  return (
    <ToastProvider>
      <div className="flex min-h-screen">
        <div className="theme-fixed w-60 shrink-0 bg-slate-900">
        <aside className="sticky top-0 flex h-screen w-60 flex-col border-r border-slate-800 text-slate-300">
          <div className="flex items-center gap-2 px-5 pt-5 pb-4">
            <Wordmark />
          </div>
          <div className="px-3 pb-3">
            <ProjectSwitcher project={project} />
          </div>
          <nav aria-label="Workbench" className="flex-1 space-y-0.5 px-3">
            {NAV.map((item) => {
              const href = `${base}${item.href}`;
              const active = item.href === "" ? rest === "" || rest === "/" : rest.startsWith(item.href);
              return (
                <Link
                  key={item.label}
                  href={href}
                  aria-current={active ? "page" : undefined}
                  className={cx(
                    "flex items-center gap-2.5 rounded-md px-2.5 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-indigo-400",
                    active ? "bg-slate-800 text-white" : "text-slate-400 hover:bg-slate-800/60 hover:text-slate-100",
                  )}
                >
                  <svg aria-hidden viewBox="0 0 24 24" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round"><path d={item.icon} /></svg>
                  {item.label}
                </Link>
              );
            })}
          </nav>
          <p className="px-5 py-4 text-xs leading-relaxed text-slate-500">One SQL, a stream job and a batch job.</p>
        </aside>
        </div>
        <div className="flex min-w-0 flex-1 flex-col">
          <header className="sticky top-0 z-20 flex h-12 shrink-0 items-center justify-between gap-4 border-b border-slate-200 bg-white/90 px-6 backdrop-blur">
            <nav aria-label="Breadcrumb" className="flex min-w-0 items-center gap-1.5 text-sm text-slate-500">
              <Link href={base} className="font-medium text-slate-700 hover:text-slate-900">{project}</Link>
              {crumbs.map((c, i) => (
                <span key={`${i}-${c}`} className="flex min-w-0 items-center gap-1.5">
                  <span aria-hidden className="text-slate-300">/</span>
                  {i < crumbs.length - 1 ? (
                    <Link href={`${base}/${crumbs.slice(0, i + 1).map(encodeURIComponent).join("/")}`} className="hover:text-slate-900">{SECTION_LABELS[c] ?? c}</Link>
                  ) : (
                    <span className="truncate text-slate-900">{SECTION_LABELS[c] ?? c}</span>
                  )}
                </span>
              ))}
            </nav>
            <div className="flex items-center gap-2"><ThemeToggle /><SessionBadge /></div>
          </header>
          <main className="mx-auto w-full max-w-[1400px] flex-1 px-6 py-6">{children}</main>
        </div>
      </div>
    </ToastProvider>
  );
}

export function Wordmark() {
  return (
    <span className="flex items-center gap-2">
      <svg aria-hidden viewBox="0 0 32 32" className="h-7 w-7">
        <rect width="32" height="32" rx="7" fill="#4f46e5" />
        <path d="M7 12h18" stroke="#7dd3fc" strokeWidth="3" strokeLinecap="round" />
        <path d="M7 20h18" stroke="#fcd34d" strokeWidth="3" strokeLinecap="round" />
      </svg>
      <span className="text-lg font-semibold tracking-tight text-white">Tandem</span>
    </span>
  );
}

function ProjectSwitcher({ project }: { project: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const projects = useQuery(trpc.catalog.projects.queryOptions());
  const names = projects.data?.map((p) => p.name) ?? [project];
  if (!names.includes(project)) names.unshift(project);
  return (
    <div>
      <label htmlFor="project-switcher" className="mb-1 block px-1 text-[11px] font-medium tracking-wide text-slate-500 uppercase">Project</label>
      <select
        id="project-switcher"
        value={project}
        onChange={(e) => {
          // Stay on the same section when switching projects; detail pages fall back to their list.
          const section = pathname.split("/")[3];
          router.push(`/p/${encodeURIComponent(e.target.value)}${section ? `/${section}` : ""}`);
        }}
        className="block w-full rounded-md border border-slate-700 bg-slate-800 px-2.5 py-1.5 text-sm text-white focus:border-indigo-400 focus:outline-none"
      >
        {names.map((n) => <option key={n} value={n}>{n}</option>)}
      </select>
    </div>
  );
}
