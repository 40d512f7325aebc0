"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { Suspense, useState, type SyntheticEvent } from "react";
import { safeNext, signInWithPassword, signInWithSso } from "../_lib/auth/client";
import { useTRPC } from "../_lib/trpc/client";

// Sign-in: email + password, and single sign-on when OIDC is configured. In local single-user mode there
// is nothing to sign in to, and the page says so.

export default function LoginPage() {
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-50 px-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center justify-center gap-2">
          <svg aria-hidden viewBox="0 0 32 32" className="h-8 w-8">
            <rect width="32" height="32" rx="7" fill="#4f46e5" />
            <path d="M7 12h18" stroke="#7dd3fc" strokeWidth="3" strokeLinecap="round" />
            <path d="M7 20h18" stroke="#fcd34d" strokeWidth="3" strokeLinecap="round" />
          </svg>
          <span className="text-xl font-semibold tracking-tight text-slate-900">Tandem</span>
        </div>
        <Suspense fallback={null}>
          <LoginCard />
        </Suspense>
      </div>
    </main>
  );
}

function LoginCard() {
  const trpc = useTRPC();
  const params = useSearchParams();
  const next = safeNext(params.get("next"));
  const status = useQuery(trpc.auth.status.queryOptions());
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(params.get("error") === "sso" ? "Single sign-on did not complete. Try again." : null);

  async function submit(e: SyntheticEvent<HTMLFormElement>) {
    e.preventDefault();
    setPending(true);
    setError(null);
    const result = await signInWithPassword(email, password);
    if (result.ok) {
      window.location.assign(next); // a full load, so every request carries the new session
      return;
    }
    setPending(false);
    setError(result.message);
  }

  if (status.data?.mode === "local") {
    return (
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-base font-semibold text-slate-900">No sign-in needed</h1>
        <p className="mt-2 text-sm text-slate-600">
          Tandem runs in <strong>local single-user mode</strong>: everything on this machine, one operator. Set
          <code className="mx-1 rounded bg-slate-100 px-1 py-0.5 text-xs">TANDEM_AUTH_SECRET</code>to turn login on.
        </p>
        <Link href="/" className="mt-4 inline-block text-sm font-medium text-indigo-600 hover:text-indigo-700">Open the workbench →</Link>
      </section>
    );
  }

  const sso = status.data?.singleSignOn;
  return (
    <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="text-base font-semibold text-slate-900">Sign in</h1>
      <p className="mt-1 text-sm text-slate-500">to your Tandem workbench</p>
      {sso ? (
        <>
          <button
            type="button"
            onClick={() => {
              void signInWithSso(sso.providerId, next).then((r) => { if (!r.ok) setError(r.message); });
            }}
            className="mt-5 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-500"
          >
            Sign in with {sso.name}
          </button>
          <div className="my-5 flex items-center gap-3 text-xs text-slate-400">
            <span className="h-px flex-1 bg-slate-200" />or<span className="h-px flex-1 bg-slate-200" />
          </div>
        </>
      ) : null}
      <form onSubmit={(e) => void submit(e)} className={sso ? "space-y-4" : "mt-5 space-y-4"}>
        <div>
          <label htmlFor="email" className="block text-sm font-medium text-slate-700">Email</label>
          <input
            id="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)}
            className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:ring-1 focus:ring-indigo-500 focus:outline-none"
          />
        </div>
        <div>
          <label htmlFor="password" className="block text-sm font-medium text-slate-700">Password</label>
          <input
            id="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)}
            className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:ring-1 focus:ring-indigo-500 focus:outline-none"
          />
        </div>
        {error ? <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error}</p> : null}
        <button
          type="submit" disabled={pending}
          className="w-full rounded-md bg-indigo-600 px-3 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 disabled:opacity-60 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
        >
          {pending ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p className="mt-4 text-xs text-slate-500">Accounts are created by an administrator (<code>tandem admin create-user</code>).</p>
    </section>
  );
}
