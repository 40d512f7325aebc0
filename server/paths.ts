import path from "node:path";

// Where a path a user writes in a connector (or asks Tandem to read) points on this machine. The engine
// and the catalog's helpers resolve paths the same way, so what inference reads is what a job reads.

export interface PathRoots {
  /** Relative paths resolve against this folder (the parent of the data dir). */
  baseDir: string;
  /** Tandem's data dir: a relative path starting with `.tandem/` lives in it, wherever it is. */
  dataDir?: string;
}

/**
 * Absolute as given; `.tandem/...` inside the data dir (so the demo follows TANDEM_DATA_DIR); other
 * relative paths against the parent of the data dir (docs/engines.md).
 */
export function resolvePath(p: string, roots: PathRoots): string {
  if (path.isAbsolute(p)) return p;
  const m = /^\.tandem(?:[\\/](.*))?$/.exec(p);
  if (m && roots.dataDir) return path.join(roots.dataDir, m[1] ?? "");
  return path.resolve(roots.baseDir, p);
}
