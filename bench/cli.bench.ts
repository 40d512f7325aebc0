// npm run bench:cli — everyday CLI commands from a cold process (a new `node bin/tandem.mjs` each run), as a
// user types them. Targets (issue #12): `tandem --help` < 0.5 s, `tandem apply` with no changes < 2 s.
// apply is timed twice: next to a running `tandem dev` (the CLI uses its warm database over the socket, the
// everyday case) and alone on the data folder (the CLI starts the embedded database itself).
//   BENCH_RUNS (5)
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const runs = Number(process.env.BENCH_RUNS ?? 5);
const root = path.resolve(import.meta.dirname, "..");
const tandem = path.join(root, "bin/tandem.mjs");
const projectFile = path.join(root, "examples/double11.yaml");

function timeCommand(args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [tandem, ...args], { env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`tandem ${args.join(" ")} failed (exit ${String(r.status)}): ${r.stderr}`);
  return ms;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function report(name: string, values: number[], targetMs: number): void {
  const m = median(values);
  console.log(`${name.padEnd(34)} median ${m.toFixed(0).padStart(5)} ms  (min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)})  target < ${targetMs} ms  ${m < targetMs ? "met" : "MISSED"}`);
}

async function waitForLine(child: ReturnType<typeof spawn>, pattern: RegExp): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (pattern.test(out)) resolve();
    });
    child.on("exit", (code) => reject(new Error(`tandem dev exited (${String(code)}): ${out}`)));
  });
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-cli-"));
  const env: NodeJS.ProcessEnv = { ...process.env, TANDEM_DATA_DIR: dataDir };
  delete env.DATABASE_URL; // the embedded defaults
  try {
    timeCommand(["--help"], env); // builds the bundle if the sources changed; not counted
    timeCommand(["apply", "-f", projectFile], env); // creates the project; the timed runs change nothing
    console.log(`node ${process.version}, ${runs} runs each, cold processes`);
    report("tandem --help", Array.from({ length: runs }, () => timeCommand(["--help"], env)), 500);
    report("tandem apply (no changes), alone", Array.from({ length: runs }, () => timeCommand(["apply", "-f", projectFile], env)), 2000);
    const dev = spawn(process.execPath, [tandem, "dev", "--no-web", "--no-worker", "--no-seed"], { env, stdio: ["ignore", "pipe", "inherit"] });
    try {
      await waitForLine(dev, /ready in/);
      report("tandem apply (no changes), dev up", Array.from({ length: runs }, () => timeCommand(["apply", "-f", projectFile], env)), 2000);
    } finally {
      dev.kill("SIGTERM");
      await new Promise((r) => dev.once("exit", r));
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
