import fs from "node:fs";
import { isMap, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { ValidationError, type Issue } from "../errors";
import { ProjectFile, type CatalogSnapshot, type ProjectFileParsed } from "../catalog/schemas";
import { validateProjectFile } from "../catalog/validate";
import { checkMetricTasks, withGeneratedJobs } from "./metric-tasks";

// Reading a project file: YAML (or JSON, which is YAML) -> zod -> cross-object validation. Every issue
// carries the line and column in the file, found by walking the path through the YAML document.

export interface LoadedProjectFile {
  file: ProjectFileParsed;
  /** Locates a catalog path ("metaTables.mix.batch.mappings.user_id") in the source text. */
  locate(path: string): { line: number; column: number } | undefined;
}

// A project file is a catalog, not data: 10 MB is far above any real one, and the cap is checked before the
// YAML parser runs (parsing takes many times the text's size in memory). Aliases are capped for the same reason.
export const MAX_PROJECT_FILE_BYTES = 10 * 1024 * 1024;
const MAX_YAML_ALIASES = 100;
const tooLarge = (sourceName: string, bytes: number) =>
  new ValidationError([{ path: sourceName, message: `the project file is ${(bytes / 1024 / 1024).toFixed(1)} MB; the limit is ${MAX_PROJECT_FILE_BYTES / 1024 / 1024} MB` }]);

export function readProjectFile(filePath: string): LoadedProjectFile {
  let text: string;
  try {
    const { size } = fs.statSync(filePath);
    if (size > MAX_PROJECT_FILE_BYTES) throw tooLarge(filePath, size);
    text = fs.readFileSync(filePath, "utf8");
  } catch (e) {
    if (e instanceof ValidationError) throw e;
    throw new ValidationError([{ path: filePath, message: `cannot read project file: ${(e as Error).message}` }]);
  }
  return parseProjectFile(text, filePath);
}

export function parseProjectFile(text: string, sourceName = "project file"): LoadedProjectFile {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_PROJECT_FILE_BYTES) throw tooLarge(sourceName, bytes);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ValidationError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: sourceName, message: e.message.split("\n")[0] ?? e.message, line: pos.line, column: pos.col };
      }),
    );
  }
  const locate = (path: string) => locateIn(doc, lineCounter, path.split("."));
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    // yaml throws a ReferenceError when aliases expand past the cap (a "billion laughs" file).
    throw new ValidationError([{ path: sourceName, message: `the project file expands too many YAML aliases: ${(e as Error).message}` }]);
  }
  const parsed = ProjectFile.safeParse(value);
  if (!parsed.success) {
    const root: unknown = doc.toJS();
    throw new ValidationError(parsed.error.issues.map((i) => withLocation(zodIssue(i, root), locate)));
  }
  const issues = validateProjectFile(parsed.data);
  if (issues.length > 0) throw new ValidationError(issues.map((i) => withLocation(i, locate)));
  let withTasks: ProjectFileParsed;
  try {
    withTasks = withGeneratedJobs(parsed.data, checkMetricTasks(parsed.data, snapshotFromProjectFile(parsed.data)));
  } catch (e) {
    if (e instanceof ValidationError) throw new ValidationError(e.issues.map((i) => withLocation(i, locate)));
    throw e;
  }
  // The project's time zone is each job's default (generated jobs included), and each dashboard's (the day
  // its `today` is); they carry it so a stored job or dashboard needs no project file.
  const zone = withTasks.timeZone;
  const file = zone ? {
    ...withTasks,
    jobs: withTasks.jobs.map((j) => ({ ...j, timeZone: j.timeZone ?? zone })),
    dashboards: withTasks.dashboards.map((d) => ({ ...d, params: { ...d.params, timeZone: d.params.timeZone ?? zone } })),
  } : withTasks;
  return { file, locate };
}

function withLocation(issue: Issue, locate: LoadedProjectFile["locate"]): Issue {
  const at = locate(issue.path);
  return at ? { ...issue, line: at.line, column: at.column } : issue;
}

/** Turns a zod issue path of indices into the name-based path used everywhere else. */
function zodIssue(i: z.core.$ZodIssue, root: unknown): Issue {
  const segments: string[] = [];
  let node: unknown = root;
  for (const key of i.path) {
    const next: unknown = node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    const name = next !== null && typeof next === "object" && typeof (next as { name?: unknown }).name === "string" ? (next as { name: string }).name : undefined;
    segments.push(typeof key === "number" && name ? name : String(key));
    node = next;
  }
  return { path: segments.join(".") || "(root)", message: i.message };
}

function locateIn(doc: Document, lc: LineCounter, path: string[]): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let best: { line: number; column: number } | undefined;
  for (const seg of path) {
    if (isSeq(node)) {
      node = node.items.find((item, idx) => (isMap(item) && item.get("name") === seg) || String(idx) === seg);
    } else if (isMap(node)) {
      const pair = node.items.find((p) => String((p.key as { value?: unknown } | null)?.value ?? p.key) === seg);
      if (!pair) break;
      const keyRange = (pair.key as { range?: [number, number, number] } | null)?.range;
      if (keyRange) best = toPos(lc, keyRange[0]);
      node = pair.value;
      continue;
    } else {
      break;
    }
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (!node) break;
    if (range) best = toPos(lc, range[0]);
  }
  return best;
}

function toPos(lc: LineCounter, offset: number): { line: number; column: number } {
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}

export function snapshotFromProjectFile(file: ProjectFileParsed): CatalogSnapshot {
  return {
    project: file.project,
    connections: new Map(file.connections.map((c) => [c.name, c])),
    physicalTables: new Map(file.physicalTables.map((t) => [t.name, t])),
    metaTables: new Map(file.metaTables.map((m) => [m.name, m])),
  };
}
