import type { ChildProcess } from "node:child_process";

// What every browser benchmark shares: order statistics, the one-line report (figure, spread, target), and
// waiting for the `tandem dev --prod` it started to answer.

export const quantile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;
export const median = (xs: number[]) => quantile(xs, 0.5);

/** Prints `name  median|pNN  ms (spread)  target`; a null target is reported for information. True when met. */
export function report(name: string, xs: number[], target: number | null, p = 0.5): boolean {
  const m = quantile(xs, p);
  const label = p === 0.5 ? "median" : `p${Math.round(p * 100)}`;
  const verdict = target === null ? "(for information)" : `target < ${target} ms  ${m < target ? "met" : "MISSED"}`;
  const spread = `${p === 0.5 ? "" : `median ${median(xs).toFixed(0)}, `}min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}, n=${xs.length}`;
  console.log(`${name.padEnd(52)} ${label} ${m.toFixed(0).padStart(5)} ms  (${spread})  ${verdict}`);
  return target === null || m < target;
}

/** Polls the workbench at `base` until it answers (5 minutes at most), failing early if it exited. */
export async function waitUntilUp(child: ChildProcess, base: string): Promise<void> {
  const until = Date.now() + 300_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the workbench exited with ${child.exitCode}`);
    if (await fetch(`${base}/api/trpc/catalog.projects`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("the workbench did not come up within 5 minutes");
}
