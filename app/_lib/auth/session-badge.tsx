"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/client";
import { signOut } from "./client";

// The header badge: "Local single-user mode" when login is off, otherwise who is signed in and a sign-out
// button. Drop-in for the static badge of the shell.

export function SessionBadge() {
  const trpc = useTRPC();
  const status = useQuery(trpc.auth.status.queryOptions());
  const me = useQuery({ ...trpc.auth.me.queryOptions(), enabled: status.data?.mode === "login" });
  if (!status.data || status.data.mode === "local") {
    return (
      <span
        className="inline-flex items-center gap-1.5 rounded-full border border-emerald-200 bg-emerald-50 px-2.5 py-0.5 text-xs font-medium text-emerald-800"
        title="Embedded database and engines on this machine; no sign-in. Set TANDEM_AUTH_SECRET to turn login on."
      >
        <span aria-hidden className="h-1.5 w-1.5 rounded-full bg-emerald-500" />
        Local single-user mode
      </span>
    );
  }
  return (
    <span className="inline-flex items-center gap-2 text-xs text-slate-600">
      <span data-testid="signed-in-as" className="font-medium text-slate-800">{me.data?.label ?? "…"}</span>
      {me.data?.isAdmin ? <span className="rounded-full bg-indigo-50 px-2 py-0.5 font-medium text-indigo-700">admin</span> : null}
      <button type="button" onClick={() => void signOut()} className="rounded-md border border-slate-200 px-2 py-0.5 font-medium hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-500">
        Sign out
      </button>
    </span>
  );
}
