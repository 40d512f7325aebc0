"use client";

import { useEffect, useRef, useState } from "react";
import type * as MonacoApi from "monaco-editor/esm/vs/editor/editor.api";
import { LANGUAGE, loadMonaco } from "../sql-editor";

// Two versions of a job side by side (Monaco's diff editor, read-only): the SQL, then the settings as
// text, so a reviewer sees exactly what a deploy or a rollback changes.

export interface ComparableVersion {
  label: string;
  sql: string;
  settings: unknown;
}

/** The text compared: the SQL, then every setting but the SQL, one per line, in a stable order. */
export function comparableText(v: ComparableVersion): string {
  const lines = flatten(v.settings).map(([k, val]) => `-- ${k}: ${val}`);
  return `${v.sql.replace(/\s+$/, "")}\n\n-- settings\n${lines.join("\n")}\n`;
}

function flatten(value: unknown, prefix = ""): [string, string][] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [[prefix, JSON.stringify(value)]];
  const out: [string, string][] = [];
  for (const key of Object.keys(value).sort()) {
    if (prefix === "" && key === "sql") continue;
    out.push(...flatten((value as Record<string, unknown>)[key], prefix ? `${prefix}.${key}` : key));
  }
  return out;
}

export function VersionDiff({ left, right, height = 360 }: { left: ComparableVersion; right: ComparableVersion; height?: number }) {
  return <TextDiff left={{ label: left.label, text: comparableText(left) }} right={{ label: right.label, text: comparableText(right) }} height={height} testId="version-diff" />;
}

/** Two texts side by side in Monaco's read-only diff editor (Flink SQL highlighting). */
export function TextDiff({ left, right, height = 360, testId = "text-diff" }: { left: { label: string; text: string }; right: { label: string; text: string }; height?: number; testId?: string }) {
  const host = useRef<HTMLDivElement>(null);
  const diff = useRef<MonacoApi.editor.IStandaloneDiffEditor | null>(null);
  const models = useRef<MonacoApi.editor.ITextModel[]>([]);
  const [monaco, setMonaco] = useState<typeof MonacoApi | null>(null);

  useEffect(() => {
    let disposed = false;
    void loadMonaco().then((m) => {
      if (disposed || !host.current) return;
      diff.current = m.editor.createDiffEditor(host.current, { readOnly: true, automaticLayout: true, renderSideBySide: true, minimap: { enabled: false }, fontSize: 12.5, scrollBeyondLastLine: false, originalEditable: false });
      setMonaco(m);
    });
    return () => {
      disposed = true;
      diff.current?.dispose();
      for (const model of models.current) model.dispose();
    };
  }, []);

  // Compared as text, so a re-render with equal texts does not rebuild the models.
  const leftText = left.text;
  const rightText = right.text;
  useEffect(() => {
    if (!monaco || !diff.current) return;
    const original = monaco.editor.createModel(leftText, LANGUAGE);
    const modified = monaco.editor.createModel(rightText, LANGUAGE);
    diff.current.setModel({ original, modified });
    for (const model of models.current) model.dispose();
    models.current = [original, modified];
  }, [monaco, leftText, rightText]);

  return (
    <div>
      <div className="mb-1 grid grid-cols-2 text-xs font-medium text-slate-500"><span>{left.label}</span><span>{right.label}</span></div>
      <div ref={host} data-testid={testId} data-ready={monaco ? "true" : "false"} className="overflow-hidden rounded-md border border-slate-300" style={{ height }} />
    </div>
  );
}
