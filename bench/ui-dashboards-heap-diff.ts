// npx tsx bench/ui-dashboards-heap-diff.ts — where the dashboard page's heap goes (issue #17): the demo
// dashboard under `tandem dev --prod` + `tandem demo generate`, two heap snapshots after a forced GC
// (HEAP_FIRST_MIN, default 1, and HEAP_SECOND_MIN, default 6). Prints the kinds whose retained count or self size
// grew most between them, V8's `(code)` kinds broken down by name (SharedFunctionInfo by function name,
// "system / InstructionStream", "system / FeedbackVector", …), V8's tiering (how many functions' live closures
// run optimized Maglev/TurboFan code at each snapshot, and whether each new optimized code tiered up from
// Sparkplug or the interpreter, re-optimized a function, or belongs to a function that was not there before,
// as eval or new Function would), then the objects of the second snapshot that were not in the first (node ids
// are stable within one session): by kind, by what retains them, and a few retainer paths each. Needs a
// production build (.next) like bench:ui:dashboards.
//   BENCH_PORT (3497)  BENCH_RATE (200)  HEAP_FIRST_MIN  HEAP_SECOND_MIN  HEAP_TOP (25)  HEAP_PATHS (3)
//   HEAP_SAVE_DIR (keep both .heapsnapshot files there, to open in DevTools)
//   HEAP_FILES=a.heapsnapshot,b.heapsnapshot compares two saved snapshots (no browser)
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type CDPSession } from "@playwright/test";
import { waitUntilUp } from "./ui-harness";

const port = Number(process.env.BENCH_PORT ?? 3497);
const rate = Number(process.env.BENCH_RATE ?? 200);
const firstMin = Number(process.env.HEAP_FIRST_MIN ?? 1);
const secondMin = Number(process.env.HEAP_SECOND_MIN ?? 6);
const top = Number(process.env.HEAP_TOP ?? 25);
const pathsPerKind = Number(process.env.HEAP_PATHS ?? 3);
const saveDir = process.env.HEAP_SAVE_DIR;
const root = path.resolve(import.meta.dirname, "..");
const base = `http://127.0.0.1:${port}`;
const dashboard = `${base}/p/double11/dashboards/double11_coupons`;

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** A parsed snapshot: per node (by ordinal) its kind, name, id, self size, and its retainers. */
interface Snapshot {
  count: number;
  type: string[];
  name: string[];
  id: Float64Array;
  size: Float64Array;
  /** Retainers of node i: retainerFrom[retStart[i] .. retStart[i+1]) with the edge's label in retainerEdge. */
  retStart: Uint32Array;
  retainerFrom: Uint32Array;
  retainerEdge: string[];
  /** Per closure (by node ordinal): its SharedFunctionInfo's node id and what its code is (see codeKind). */
  closureCode: Map<number, { sfi: number; code: number; kind: CodeKind }>;
}

/** A closure's code: optimized (Maglev/TurboFan: has deoptimization data), baseline (Sparkplug: its own
 *  instruction stream), or a shared builtin (the interpreter's entry, lazy compile…). */
type CodeKind = "optimized" | "baseline" | "builtin";

function parse(raw: RawSnapshot): Snapshot {
  const f = raw.snapshot.meta.node_fields;
  const w = f.length;
  const types = raw.snapshot.meta.node_types[0];
  const ef = raw.snapshot.meta.edge_fields;
  const ew = ef.length;
  const edgeTypes = raw.snapshot.meta.edge_types[0];
  const [iType, iName, iId, iSize, iEdges] = ["type", "name", "id", "self_size", "edge_count"].map((k) => f.indexOf(k)) as [number, number, number, number, number];
  const [eType, eName, eTo] = ["type", "name_or_index", "to_node"].map((k) => ef.indexOf(k)) as [number, number, number];
  const count = raw.nodes.length / w;
  const s: Snapshot = { count, type: [], name: [], id: new Float64Array(count), size: new Float64Array(count), retStart: new Uint32Array(count + 1), retainerFrom: new Uint32Array(0), retainerEdge: [], closureCode: new Map() };
  const firstEdge = new Uint32Array(count + 1);
  for (let n = 0, e = 0; n < count; n++) {
    const o = n * w;
    s.type.push(types[raw.nodes[o + iType] ?? 0] ?? "?");
    s.name.push(raw.strings[raw.nodes[o + iName] ?? 0] ?? "");
    s.id[n] = raw.nodes[o + iId] ?? 0;
    s.size[n] = raw.nodes[o + iSize] ?? 0;
    firstEdge[n] = e;
    e += raw.nodes[o + iEdges] ?? 0;
    firstEdge[n + 1] = e;
  }
  const edgeLabel = (e: number): string => {
    const t = edgeTypes[raw.edges[e * ew + eType] ?? 0] ?? "?";
    const v = raw.edges[e * ew + eName] ?? 0;
    return t === "element" || t === "hidden" ? `${t}[${v}]` : `${t}:${raw.strings[v] ?? v}`;
  };
  // Retainers, skipping weak edges (they do not keep anything alive).
  const weak = edgeTypes.indexOf("weak");
  const inCount = new Uint32Array(count);
  for (let e = 0; e < raw.edges.length / ew; e++) {
    if (raw.edges[e * ew + eType] === weak) continue;
    inCount[(raw.edges[e * ew + eTo] ?? 0) / w]!++;
  }
  for (let n = 0; n < count; n++) s.retStart[n + 1] = s.retStart[n]! + inCount[n]!;
  s.retainerFrom = new Uint32Array(s.retStart[count]!);
  s.retainerEdge = new Array<string>(s.retStart[count]!);
  const fill = s.retStart.slice(0, count);
  for (let n = 0; n < count; n++) {
    for (let e = firstEdge[n]!; e < firstEdge[n + 1]!; e++) {
      if (raw.edges[e * ew + eType] === weak) continue;
      const to = (raw.edges[e * ew + eTo] ?? 0) / w;
      const at = fill[to]!++;
      s.retainerFrom[at] = n;
      s.retainerEdge[at] = edgeLabel(e);
    }
  }
  // Closures' code: follow the "shared" and "code" edges, and look at the code's own edges.
  const edgeTo = (n: number, name: string): number | undefined => {
    for (let e = firstEdge[n]!; e < firstEdge[n + 1]!; e++) {
      const t = edgeTypes[raw.edges[e * ew + eType] ?? 0];
      if ((t === "internal" || t === "property") && raw.strings[raw.edges[e * ew + eName] ?? 0] === name) return (raw.edges[e * ew + eTo] ?? 0) / w;
    }
    return undefined;
  };
  for (let n = 0; n < count; n++) {
    if (s.type[n] !== "closure") continue;
    const shared = edgeTo(n, "shared");
    const code = edgeTo(n, "code");
    if (shared === undefined || code === undefined) continue;
    const kind: CodeKind = edgeTo(code, "deoptimization_data") !== undefined ? "optimized" : edgeTo(code, "instruction_stream") !== undefined ? "baseline" : "builtin";
    s.closureCode.set(n, { sfi: s.id[shared]!, code: s.id[code]!, kind });
  }
  return s;
}

/** Per function (SharedFunctionInfo id): the kinds of code its live closures run, and the optimized code ids. */
function codeByFunction(s: Snapshot): Map<number, { kinds: Set<CodeKind>; optimized: Set<number> }> {
  const m = new Map<number, { kinds: Set<CodeKind>; optimized: Set<number> }>();
  for (const c of s.closureCode.values()) {
    const v = m.get(c.sfi) ?? { kinds: new Set<CodeKind>(), optimized: new Set<number>() };
    v.kinds.add(c.kind);
    if (c.kind === "optimized") v.optimized.add(c.code);
    m.set(c.sfi, v);
  }
  return m;
}

/** How nodes are grouped: objects by constructor, closures by name, `(code)` by name, the rest by kind. */
function kindOf(s: Snapshot, n: number): string {
  const t = s.type[n]!;
  const name = s.name[n]!;
  if (t === "object" || t === "native" || t === "closure") return `${t}:${name}`;
  if (t === "code") return `(code):${name.slice(0, 60) || "(no name)"}`;
  return `(${t})`;
}

const label = (s: Snapshot, n: number) => `${s.type[n] ?? "?"}:${(s.name[n] ?? "").slice(0, 50).replace(/\s+/g, " ")}@${s.id[n] ?? 0}`;

/** One retainer path from n towards a root (the first not yet visited retainer each step, 12 steps at most). */
function retainerPath(s: Snapshot, n: number): string {
  const seen = new Set<number>([n]);
  const parts = [label(s, n)];
  let cur = n;
  for (let step = 0; step < 12; step++) {
    let next = -1;
    let edge = "";
    for (let r = s.retStart[cur]!; r < s.retStart[cur + 1]!; r++) {
      const from = s.retainerFrom[r]!;
      if (seen.has(from)) continue;
      next = from;
      edge = s.retainerEdge[r]!;
      // Prefer a retainer that is not a shortcut or the synthetic roots.
      if (!edge.startsWith("shortcut") && s.type[from] !== "synthetic") break;
    }
    if (next < 0) break;
    parts.push(`<-${edge}- ${label(s, next)}`);
    seen.add(next);
    cur = next;
    if (s.type[next] === "synthetic") break;
  }
  return parts.join(" ");
}

async function takeSnapshot(cdp: CDPSession, file?: string): Promise<Snapshot> {
  await cdp.send("HeapProfiler.collectGarbage");
  const chunks: string[] = [];
  const onChunk = (e: { chunk: string }) => { chunks.push(e.chunk); };
  cdp.on("HeapProfiler.addHeapSnapshotChunk", onChunk);
  await cdp.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  cdp.off("HeapProfiler.addHeapSnapshotChunk", onChunk);
  const text = chunks.join("");
  if (file) fs.writeFileSync(file, text);
  return parse(JSON.parse(text) as RawSnapshot);
}

type Tally = Map<string, { count: number; size: number }>;

function tally(s: Snapshot, only?: (n: number) => boolean): Tally {
  const t: Tally = new Map();
  for (let n = 0; n < s.count; n++) {
    if (only && !only(n)) continue;
    const k = kindOf(s, n);
    const v = t.get(k) ?? { count: 0, size: 0 };
    v.count++;
    v.size += s.size[n]!;
    t.set(k, v);
  }
  return t;
}

const row = (k: string, a: string | number, b: string | number, c: string | number) => `${k.slice(0, 70).padEnd(70)} ${String(a).padStart(10)} ${String(b).padStart(8)} ${String(c).padStart(8)}`;

/** The comparison printed: growth by kind, V8's tiering, the new objects and what retains them. */
function compare(a: Snapshot, b: Snapshot, first: string, second: string): void {
  const ta = tally(a);
  const tb = tally(b);
  const total = (t: Tally) => [...t.values()].reduce((s, v) => s + v.size, 0);
  console.log(`snapshot at ${first}: ${(total(ta) / 1024 / 1024).toFixed(2)} MB, ${a.count} nodes; at ${second}: ${(total(tb) / 1024 / 1024).toFixed(2)} MB, ${b.count} nodes (self sizes)`);
  const rows = [...new Set([...ta.keys(), ...tb.keys()])].map((k) => {
    const x = ta.get(k) ?? { count: 0, size: 0 };
    const y = tb.get(k) ?? { count: 0, size: 0 };
    return { k, dCount: y.count - x.count, dSize: y.size - x.size, count: y.count };
  });
  console.log(`\n${row("grew most (by self size)", "Δ bytes", "Δ count", "count")}`);
  for (const r of rows.sort((p, q) => q.dSize - p.dSize).slice(0, top)) console.log(row(r.k, r.dSize, r.dCount, r.count));
  const codeDelta = rows.filter((r) => r.k.startsWith("(code)")).reduce((s, r) => s + r.dSize, 0);
  console.log(`(code) in all: Δ ${codeDelta} bytes`);

  // V8's tiering: the optimized code (Maglev/TurboFan) that live closures run, and what each function whose
  // optimized code is new ran as at the first snapshot (tiered up from Sparkplug or the interpreter, or
  // re-optimized), and functions that were not live then (new code, e.g. eval or new Function).
  const idsA = new Set<number>(a.id);
  const fa = codeByFunction(a);
  const fb = codeByFunction(b);
  const optimizedCount = (f: typeof fa) => [...f.values()].reduce((n, v) => n + v.optimized.size, 0);
  const tiers = new Map<string, number>();
  for (const [sfi, v] of fb) {
    for (const code of v.optimized) {
      if (idsA.has(code)) continue;
      const before = fa.get(sfi);
      const how = !before ? "function not live at the first snapshot" : before.optimized.size > 0 ? "re-optimized (had other optimized code)" : before.kinds.has("baseline") ? "tiered up from Sparkplug (baseline) code" : "tiered up from the interpreter";
      tiers.set(how, (tiers.get(how) ?? 0) + 1);
    }
  }
  console.log(`\noptimized code run by live closures: ${optimizedCount(fa)} at ${first}, ${optimizedCount(fb)} at ${second}; functions with live closures ${fa.size} → ${fb.size}; the new optimized code:`);
  for (const [how, n] of [...tiers.entries()].sort((p, q) => q[1] - p[1])) console.log(`   ${String(n).padStart(6)}  ${how}`);
  const newScripts = [...Array(b.count).keys()].filter((n) => b.type[n] === "code" && b.name[n]!.startsWith("system / Script") && !idsA.has(b.id[n]!)).length;
  console.log(`   new Script objects (eval, new Function, injected scripts): ${newScripts}`);

  // The objects that are new in the second snapshot: which kinds, and what holds them.
  const isNew = (n: number) => !idsA.has(b.id[n]!);
  const tn = tally(b, isNew);
  console.log(`\n${row(`new since ${first} (by self size)`, "bytes", "count", "")}`);
  const newRows = [...tn.entries()].sort((p, q) => q[1].size - p[1].size).slice(0, top);
  for (const [k, v] of newRows) console.log(row(k, v.size, v.count, ""));
  console.log(`new in all: ${[...tn.values()].reduce((s, v) => s + v.size, 0)} bytes, ${[...tn.values()].reduce((s, v) => s + v.count, 0)} objects`);

  // For the biggest new kinds: what retains them (kind of the retainer and the edge), and sample paths.
  const byKind = new Map<string, number[]>();
  for (let n = 0; n < b.count; n++) if (isNew(n)) { const k = kindOf(b, n); (byKind.get(k) ?? byKind.set(k, []).get(k)!).push(n); }
  for (const [k] of newRows.slice(0, Math.min(10, newRows.length))) {
    const nodes = byKind.get(k) ?? [];
    const ret = new Map<string, number>();
    for (const n of nodes) {
      for (let r = b.retStart[n]!; r < b.retStart[n + 1]!; r++) {
        const from = b.retainerFrom[r]!;
        const key = `${kindOf(b, from)} ${b.retainerEdge[r]!.replace(/\[\d+\]/, "[i]")}${isNew(from) ? " (new)" : ""}`;
        ret.set(key, (ret.get(key) ?? 0) + 1);
      }
    }
    console.log(`\n== ${k}: ${nodes.length} new; retained by:`);
    for (const [rk, c] of [...ret.entries()].sort((p, q) => q[1] - p[1]).slice(0, 8)) console.log(`   ${String(c).padStart(6)}  ${rk.slice(0, 110)}`);
    const step = Math.max(1, Math.floor(nodes.length / pathsPerKind));
    for (let i = 0; i < nodes.length && i / step < pathsPerKind; i += step) console.log(`   path: ${retainerPath(b, nodes[i]!).slice(0, 900)}`);
  }
}

async function main(): Promise<void> {
  const files = process.env.HEAP_FILES?.split(",");
  if (files?.length === 2) {
    const read = (f: string) => parse(JSON.parse(fs.readFileSync(f, "utf8")) as RawSnapshot);
    compare(read(files[0]!), read(files[1]!), path.basename(files[0]!), path.basename(files[1]!));
    return;
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-heap-diff-"));
  const env: NodeJS.ProcessEnv = { ...process.env, TANDEM_DATA_DIR: dataDir, NEXT_TELEMETRY_DISABLED: "1" };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, [path.join(root, "bin/tandem.mjs"), "dev", "--prod", "--port", String(port)], { cwd: root, env, stdio: ["ignore", "ignore", "inherit"], detached: true });
  const generator = spawn(process.execPath, [path.join(root, "bin/tandem.mjs"), "demo", "generate", "--rate", String(rate)], { cwd: root, env, stdio: "ignore", detached: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--js-flags=--expose-gc"] });
  try {
    await waitUntilUp(child, base);
    const page = await browser.newPage();
    await page.goto(dashboard);
    await page.getByTestId("value-pv").filter({ hasText: /^\d/ }).waitFor({ timeout: 180_000 });
    const cdp = await page.context().newCDPSession(page);
    const t0 = Date.now();
    const at = (min: number) => new Promise((r) => setTimeout(r, Math.max(0, t0 + min * 60_000 - Date.now())));
    if (saveDir) fs.mkdirSync(saveDir, { recursive: true });
    await at(firstMin);
    const a = await takeSnapshot(cdp, saveDir && path.join(saveDir, `dashboard-${firstMin}min.heapsnapshot`));
    await at(secondMin);
    const b = await takeSnapshot(cdp, saveDir && path.join(saveDir, `dashboard-${secondMin}min.heapsnapshot`));

    compare(a, b, `${firstMin} min`, `${secondMin} min`);
  } finally {
    await browser.close();
    if (generator.pid) process.kill(-generator.pid, "SIGTERM");
    if (child.pid) process.kill(-child.pid, "SIGTERM");
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
