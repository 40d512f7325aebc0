import fs from "node:fs";
import path from "node:path";

// A running embedded service announces its address in the data folder, so other Tandem processes on the
// machine (CLI, web app, a separate `tandem worker`) find it when TEMPORAL_ADDRESS is unset.

export interface TemporalDevRegistration {
  address: string;
  pid: number;
  startedAt: string;
}

const FILE = "temporal-dev.json";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function registerTemporalDev(dir: string, address: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, FILE);
  const info: TemporalDevRegistration = { address, pid: process.pid, startedAt: new Date().toISOString() };
  fs.writeFileSync(file, JSON.stringify(info));
  const release = () => {
    const current = readTemporalDev(dir);
    if (current?.pid === process.pid) fs.rmSync(file, { force: true });
    process.off("exit", release);
  };
  process.on("exit", release);
  return release;
}

/** The live registration in `dir`, or undefined (a stale one from a killed process is ignored). */
export function readTemporalDev(dir: string): TemporalDevRegistration | undefined {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dir, FILE), "utf8")) as TemporalDevRegistration;
    return alive(info.pid) ? info : undefined;
  } catch {
    return undefined; // no registration (or a torn write): nobody to connect to
  }
}
