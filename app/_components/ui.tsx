"use client";

import Link from "next/link";
import { useEffect, useId, useRef, type ButtonHTMLAttributes, type ReactNode } from "react";

// The workbench's small component kit: plain Tailwind, native elements, labels on every input.

export function cx(...parts: (string | false | null | undefined)[]): string {
  return parts.filter(Boolean).join(" ");
}

type Variant = "primary" | "secondary" | "danger" | "ghost";
const VARIANTS: Record<Variant, string> = {
  primary: "bg-indigo-600 text-white hover:bg-indigo-500 border-indigo-600 shadow-sm",
  secondary: "bg-white text-slate-700 hover:bg-slate-50 border-slate-300 shadow-sm",
  danger: "bg-white text-rose-700 hover:bg-rose-50 border-rose-300 shadow-sm",
  ghost: "bg-transparent text-slate-600 hover:bg-slate-100 border-transparent",
};

export function Button({ variant = "secondary", size = "md", className, ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; size?: "sm" | "md" }) {
  return (
    <button
      type="button"
      {...props}
      className={cx(
        "inline-flex items-center justify-center gap-1.5 rounded-md border font-medium whitespace-nowrap transition-colors",
        "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 disabled:cursor-not-allowed disabled:opacity-50",
        size === "sm" ? "h-7 px-2.5 text-xs" : "h-9 px-3.5 text-sm",
        VARIANTS[variant],
        className,
      )}
    />
  );
}

export function LinkButton({ href, children, variant = "secondary" }: { href: string; children: ReactNode; variant?: Variant }) {
  return (
    <Link
      href={href}
      className={cx("inline-flex h-9 items-center gap-1.5 rounded-md border px-3.5 text-sm font-medium whitespace-nowrap focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500", VARIANTS[variant])}
    >
      {children}
    </Link>
  );
}

/** Input styling without a width, for controls that size themselves (flex items, fixed widths). */
export const inputBase =
  "block rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 shadow-xs placeholder:text-slate-400 " +
  "focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/20 disabled:bg-slate-50 disabled:text-slate-500 aria-[invalid=true]:border-rose-400";
export const inputClass = `${inputBase} w-full`;
export const monoInputClass = `${inputClass} font-mono text-[13px]`;
export const monoInputBase = `${inputBase} font-mono text-[13px]`;

type Tone = "slate" | "sky" | "amber" | "emerald" | "violet" | "rose" | "indigo";
const TONES: Record<Tone, string> = {
  slate: "bg-slate-100 text-slate-700 ring-slate-500/20",
  sky: "bg-sky-50 text-sky-700 ring-sky-600/20",
  amber: "bg-amber-50 text-amber-800 ring-amber-600/20",
  emerald: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
  violet: "bg-violet-50 text-violet-700 ring-violet-600/20",
  rose: "bg-rose-50 text-rose-700 ring-rose-600/20",
  indigo: "bg-indigo-50 text-indigo-700 ring-indigo-600/20",
};

export function Badge({ tone = "slate", children, title }: { tone?: Tone; children: ReactNode; title?: string }) {
  return <span title={title} className={cx("inline-flex items-center gap-1 rounded-md px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset whitespace-nowrap", TONES[tone])}>{children}</span>;
}

export function KindBadge({ kind }: { kind: "stream" | "batch" | "single" | "mixed" }) {
  const tone: Tone = kind === "stream" ? "sky" : kind === "batch" ? "amber" : kind === "mixed" ? "violet" : "slate";
  return <Badge tone={tone}>{kind}</Badge>;
}

/** A labelled form field; the label is bound to the control through `id`. */
export function Field({ label, hint, error, children, className, id }: { label: string; hint?: ReactNode; error?: string[]; children: (id: string) => ReactNode; className?: string; id?: string }) {
  const generated = useId();
  const fieldId = id ?? generated;
  return (
    <div className={className}>
      <label htmlFor={fieldId} className="mb-1 block text-xs font-medium text-slate-600">{label}</label>
      {children(fieldId)}
      {hint && !error?.length ? <p className="mt-1 text-xs text-slate-500">{hint}</p> : null}
      <FieldErrors messages={error} />
    </div>
  );
}

export function FieldErrors({ messages }: { messages?: string[] }) {
  if (!messages?.length) return null;
  return (
    <ul className="mt-1 space-y-0.5" role="alert">
      {messages.map((m) => <li key={m} className="text-xs leading-snug text-rose-700">{m}</li>)}
    </ul>
  );
}

export function Card({ title, actions, children, className, padded = true }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string; padded?: boolean }) {
  return (
    <section className={cx("rounded-lg border border-slate-200 bg-white shadow-xs", className)}>
      {title || actions ? (
        <header className="flex items-center justify-between gap-3 border-b border-slate-200 px-4 py-2.5">
          <h2 className="text-sm font-semibold text-slate-800">{title}</h2>
          {actions ? <div className="flex items-center gap-2">{actions}</div> : null}
        </header>
      ) : null}
      <div className={padded ? "p-4" : undefined}>{children}</div>
    </section>
  );
}

export function PageHeader({ title, description, actions }: { title: ReactNode; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-5 flex flex-wrap items-start justify-between gap-4">
      <div className="min-w-0">
        <h1 className="truncate text-xl font-semibold tracking-tight text-slate-900">{title}</h1>
        {description ? <p className="mt-1 text-sm text-slate-500">{description}</p> : null}
      </div>
      {actions ? <div className="flex shrink-0 items-center gap-2">{actions}</div> : null}
    </div>
  );
}

export function Skeleton({ className }: { className?: string }) {
  return <div aria-hidden className={cx("animate-pulse rounded bg-slate-200/80", className)} />;
}

export function SkeletonRows({ rows = 5 }: { rows?: number }) {
  return (
    <div className="space-y-2" role="status" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => <Skeleton key={i} className="h-8 w-full" />)}
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="flex flex-col items-center justify-center rounded-lg border border-dashed border-slate-300 bg-white px-6 py-10 text-center">
      <p className="text-sm font-medium text-slate-800">{title}</p>
      {children ? <div className="mt-1 max-w-md text-sm text-slate-500">{children}</div> : null}
      {action ? <div className="mt-4">{action}</div> : null}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div role="alert" className="rounded-lg border border-rose-200 bg-rose-50 px-4 py-3 text-sm text-rose-800">
      <p className="font-medium">Something went wrong</p>
      <p className="mt-0.5 whitespace-pre-wrap">{message}</p>
      {onRetry ? <Button size="sm" className="mt-2" onClick={onRetry}>Retry</Button> : null}
    </div>
  );
}

export function Code({ children, label }: { children: string; label?: string }) {
  return (
    <pre aria-label={label} className="theme-fixed overflow-x-auto rounded-md bg-slate-900 p-3 font-mono text-[12.5px] leading-relaxed break-words whitespace-pre-wrap text-slate-100">{children}</pre>
  );
}

/** A modal confirmation built on <dialog> (focus trap and Escape for free). */
export function ConfirmDialog({ open, title, children, confirmLabel, onConfirm, onCancel, busy, tone = "danger" }: {
  open: boolean; title: string; children?: ReactNode; confirmLabel: string; onConfirm: () => void; onCancel: () => void; busy?: boolean;
  /** danger: destructive (red); primary: a weighty but not destructive action (deploy). */
  tone?: "danger" | "primary";
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} onCancel={(e) => { e.preventDefault(); onCancel(); }} className="m-auto w-[28rem] max-w-[90vw] rounded-lg border border-slate-200 p-0 shadow-xl backdrop:bg-slate-900/30" aria-labelledby="confirm-title">
      <div className="p-5">
        <h2 id="confirm-title" className="text-base font-semibold text-slate-900">{title}</h2>
        {children ? <div className="mt-2 text-sm text-slate-600">{children}</div> : null}
      </div>
      <div className="flex justify-end gap-2 border-t border-slate-200 bg-slate-50 px-5 py-3">
        <Button onClick={onCancel}>Cancel</Button>
        <Button variant="primary" className={tone === "danger" ? "bg-rose-600 border-rose-600 hover:bg-rose-500" : undefined} onClick={onConfirm} disabled={busy}>{confirmLabel}</Button>
      </div>
    </dialog>
  );
}

export function Tabs<T extends string>({ value, options, onChange, label }: { value: T; options: { value: T; label: string }[]; onChange: (v: T) => void; label: string }) {
  return (
    <div role="radiogroup" aria-label={label} className="inline-flex rounded-md border border-slate-300 bg-slate-100 p-0.5">
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          role="radio"
          aria-checked={value === o.value}
          onClick={() => onChange(o.value)}
          className={cx(
            "rounded px-3 py-1 text-sm font-medium whitespace-nowrap focus-visible:outline-2 focus-visible:outline-indigo-500",
            value === o.value ? "bg-white text-slate-900 shadow-sm" : "text-slate-600 hover:text-slate-900",
          )}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
