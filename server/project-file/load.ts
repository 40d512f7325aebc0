import fs from "node:fs";
import { isMap, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { ValidationError, type Issue } from "../errors";
import { ProjectFile, type CatalogSnapshot, type ProjectFileParsed } from "../catalog/schemas";
import { validateProjectFile } from "../catalog/validate";

// Reading a project file: YAML (or JSON, which is YAML) -> zod -> cross-object validation. Every issue
// carries the line and column in the file, found by walking the path through the YAML document.

export interface LoadedProjectFile {
  file: ProjectFileParsed;
  /** Locates a catalog path ("metaTables.mix.batch.mappings.user_id") in the source text. */
  locate(path: string): { line: number; column: number } | undefined;
}

export function readProjectFile(filePath: string): LoadedProjectFile {
  let text: string;
  try {
    text = fs.readFileSync(filePath, "utf8");
  } catch (e) {
    throw new ValidationError([{ path: filePath, message: `cannot read project file: ${(e as Error).message}` }]);
  }
  return parseProjectFile(text, filePath);
}

export function parseProjectFile(text: string, sourceName = "project file"): LoadedProjectFile {
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
  const parsed = ProjectFile.safeParse(doc.toJS());
  if (!parsed.success) {
    const root: unknown = doc.toJS();
    throw new ValidationError(parsed.error.issues.map((i) => withLocation(zodIssue(i, root), locate)));
  }
  const issues = validateProjectFile(parsed.data);
  if (issues.length > 0) throw new ValidationError(issues.map((i) => withLocation(i, locate)));
  // The project's time zone is each job's default; the job carries it so a stored job needs no project file.
  const zone = parsed.data.timeZone;
  const file = zone ? { ...parsed.data, jobs: parsed.data.jobs.map((j) => ({ ...j, timeZone: j.timeZone ?? zone })) } : parsed.data;
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
