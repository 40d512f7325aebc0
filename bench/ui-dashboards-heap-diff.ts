// npx tsx bench/ui-dashboards-heap-diff.ts — where the dashboard page's heap goes (issue #17): the demo
// dashboard under `tandem dev --prod` + `tandem demo generate`, two heap snapshots after a forced GC
// (HEAP_FIRST_MIN, default 1, and HEAP_SECOND_MIN, default 6), and the constructors whose retained count or
// self size grew most between them. Needs a production build (.next) like bench:ui:dashboards.
//   BENCH_PORT (3497)  BENCH_RATE (200)  HEAP_FIRST_MIN  HEAP_SECOND_MIN  HEAP_TOP (25)
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
const root = path.resolve(import.meta.dirname, "..");
const base = `http://127.0.0.1:${port}`;
const dashboard = `${base}/p/double11/dashboards/double11_coupons`;

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

type Tally = Map<string, { count: number; size: number }>;

async function takeSnapshot(cdp: CDPSession): Promise<Tally> {
  await cdp.send("HeapProfiler.collectGarbage");
  const chunks: string[] = [];
  const onChunk = (e: { chunk: string }) => { chunks.push(e.chunk); };
  cdp.on("HeapProfiler.addHeapSnapshotChunk", onChunk);
  await cdp.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  cdp.off("HeapProfiler.addHeapSnapshotChunk", onChunk);
  const snap = JSON.parse(chunks.join("")) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const iType = fields.indexOf("type");
  const iName = fields.indexOf("name");
  const iSize = fields.indexOf("self_size");
  const tally: Tally = new Map();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + iType] ?? 0] ?? "?";
    const name = snap.strings[snap.nodes[i + iName] ?? 0] ?? "";
    // Objects by constructor; everything else (strings, closures, arrays, code…) by its node type.
    const key = type === "object" || type === "native" ? `${type}:${name}` : type === "closure" ? `closure:${name}` : `(${type})`;
    const t = tally.get(key) ?? { count: 0, size: 0 };
    t.count++;
    t.size += snap.nodes[i + iSize] ?? 0;
    tally.set(key, t);
  }
  return tally;
}

async function main(): Promise<void> {
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
    await at(firstMin);
    const a = await takeSnapshot(cdp);
    await at(secondMin);
    const b = await takeSnapshot(cdp);
    const rows = [...new Set([...a.keys(), ...b.keys()])].map((k) => {
      const x = a.get(k) ?? { count: 0, size: 0 };
      const y = b.get(k) ?? { count: 0, size: 0 };
      return { k, dCount: y.count - x.count, dSize: y.size - x.size, count: y.count, size: y.size };
    });
    const total = (t: Tally) => [...t.values()].reduce((s, v) => s + v.size, 0);
    console.log(`snapshot at ${firstMin} min: ${(total(a) / 1024 / 1024).toFixed(2)} MB, at ${secondMin} min: ${(total(b) / 1024 / 1024).toFixed(2)} MB (self sizes)`);
    console.log(`${"grew most (by self size)".padEnd(56)} ${"Δ bytes".padStart(10)} ${"Δ count".padStart(8)} ${"count".padStart(8)}`);
    for (const r of rows.sort((p, q) => q.dSize - p.dSize).slice(0, top)) {
      console.log(`${r.k.slice(0, 56).padEnd(56)} ${String(r.dSize).padStart(10)} ${String(r.dCount).padStart(8)} ${String(r.count).padStart(8)}`);
    }
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
