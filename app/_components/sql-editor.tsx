"use client";

import { useEffect, useRef, useState } from "react";
import type * as MonacoApi from "monaco-editor/esm/vs/editor/editor.api";

// The Flink SQL editor: Monaco with monaco-sql-languages' Flink highlighting. Validation markers and
// completions come from the server (the same analysis as `tandem validate`, with the catalog), so the
// language package's own worker-side checks are off: one source of truth for what is wrong.

type Monaco = typeof MonacoApi;

export interface EditorMarker {
  line: number;
  column: number;
  message: string;
  severity?: "error" | "warning";
}

export interface EditorCompletion {
  label: string;
  kind: "table" | "column" | "function" | "keyword" | "variable";
  detail?: string;
  insertText?: string;
}

export type EditorShortcut = "validate" | "translate" | "preview" | "save";

/** Formats a text on the server: the new text, or undefined when it refused (the caller says why). */
export type EditorFormatter = (sql: string) => Promise<string | undefined>;

export interface SqlEditorProps {
  value: string;
  onChange: (value: string) => void;
  markers: readonly EditorMarker[];
  /** Completions at a 1-based position of the current text. */
  complete?: (sql: string, line: number, column: number) => Promise<EditorCompletion[]>;
  onShortcut?: (shortcut: EditorShortcut) => void;
  label: string;
  height?: number;
  /** Format (Shift+Alt+F); `formatRef` receives the command, for a toolbar button. */
  format?: EditorFormatter;
  formatRef?: { current: (() => Promise<void>) | null };
  /** Shows the text without letting it be edited (generated SQL). */
  readOnly?: boolean;
}

let loading: Promise<Monaco> | undefined;

/** Monaco and the Flink language, loaded once per page on first use (they are large). */
export function loadMonaco(): Promise<Monaco> {
  loading ??= (async () => {
    (self as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = {
      getWorker: () => new Worker(new URL("monaco-editor/esm/vs/editor/editor.worker.js", import.meta.url), { type: "module" }),
    };
    const monaco: Monaco = await import("monaco-editor/esm/vs/editor/edcore.main.js");
    await import("monaco-sql-languages/esm/languages/flink/flink.contribution.js");
    const { setupLanguageFeatures, LanguageIdEnum } = await import("monaco-sql-languages");
    setupLanguageFeatures(LanguageIdEnum.FLINK, { completionItems: false, diagnostics: false });
    // Monaco's theme is global: every editor follows the workbench theme (<html data-theme>).
    const follow = () => monaco.editor.setTheme(document.documentElement.dataset.theme === "dark" ? "vs-dark" : "vs");
    follow();
    new MutationObserver(follow).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    return monaco;
  })();
  return loading;
}

export const LANGUAGE = "flinksql";

export function SqlEditor({ value, onChange, markers, complete, onShortcut, label, height = 360, format, formatRef, readOnly = false }: SqlEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<MonacoApi.editor.IStandaloneCodeEditor | null>(null);
  const monacoRef = useRef<Monaco | null>(null);
  const latest = useRef({ onChange, complete, onShortcut, format });
  latest.current = { onChange, complete, onShortcut, format };
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let disposed = false;
    const disposables: { dispose(): void }[] = [];
    void loadMonaco().then((monaco) => {
      if (disposed || !host.current) return;
      monacoRef.current = monaco;
      const ed = monaco.editor.create(host.current, {
        value, language: LANGUAGE, automaticLayout: true, minimap: { enabled: false }, fontSize: 13, lineNumbers: "on",
        scrollBeyondLastLine: false, tabSize: 2, renderWhitespace: "none", wordWrap: "off", ariaLabel: label, readOnly,
      });
      editor.current = ed;
      disposables.push(ed.onDidChangeModelContent(() => latest.current.onChange(ed.getValue())));
      const keys: [number, EditorShortcut][] = [
        [monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, "save"],
        [monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, "validate"],
        [monaco.KeyMod.CtrlCmd | monaco.KeyMod.Shift | monaco.KeyCode.KeyT, "translate"],
        [monaco.KeyMod.CtrlCmd | monaco.KeyMod.Shift | monaco.KeyCode.Enter, "preview"],
      ];
      for (const [key, shortcut] of keys) ed.addCommand(key, () => latest.current.onShortcut?.(shortcut));
      // Format replaces the text as one edit between undo stops, so Ctrl/Cmd+Z brings the old text back;
      // a text typed while the server formatted is not overwritten.
      const runFormat = async () => {
        const model = ed.getModel();
        const formatter = latest.current.format;
        if (!model || !formatter) return;
        const version = model.getVersionId();
        const formatted = await formatter(model.getValue());
        if (formatted === undefined || model.isDisposed() || model.getVersionId() !== version || formatted === model.getValue()) return;
        ed.pushUndoStop();
        ed.executeEdits("tandem.format", [{ range: model.getFullModelRange(), text: formatted }]);
        ed.pushUndoStop();
      };
      ed.addCommand(monaco.KeyMod.Shift | monaco.KeyMod.Alt | monaco.KeyCode.KeyF, () => void runFormat());
      if (formatRef) formatRef.current = runFormat;
      disposables.push(monaco.languages.registerCompletionItemProvider(LANGUAGE, {
        triggerCharacters: [".", " "],
        provideCompletionItems: async (model, position) => {
          if (model !== ed.getModel() || !latest.current.complete) return { suggestions: [] };
          const word = model.getWordUntilPosition(position);
          const range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn };
          const items = await latest.current.complete(model.getValue(), position.lineNumber, position.column);
          const kinds = monaco.languages.CompletionItemKind;
          const kindOf = { table: kinds.Class, column: kinds.Field, function: kinds.Function, keyword: kinds.Keyword, variable: kinds.Variable };
          return {
            suggestions: items.map((c, i) => ({
              label: c.label, kind: kindOf[c.kind], detail: c.detail, insertText: c.insertText ?? c.label, range,
              // Catalog objects first, then functions, then keywords; the server's order within each.
              sortText: `${{ column: 0, table: 1, variable: 2, function: 3, keyword: 4 }[c.kind]}${String(i).padStart(4, "0")}`,
            })),
          };
        },
      }));
      setReady(true);
    });
    return () => {
      disposed = true;
      for (const d of disposables) d.dispose();
      editor.current?.getModel()?.dispose();
      editor.current?.dispose();
      editor.current = null;
    };
    // The editor is created once; later values arrive through the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // A value set from outside (load, undo of a save) replaces the text; typing does not round-trip here.
  useEffect(() => {
    const ed = editor.current;
    if (ed && ed.getValue() !== value) ed.setValue(value);
  }, [value, ready]);

  useEffect(() => {
    const monaco = monacoRef.current;
    const model = editor.current?.getModel();
    if (!monaco || !model) return;
    monaco.editor.setModelMarkers(model, "tandem", markers.map((m) => {
      const line = Math.min(Math.max(m.line, 1), model.getLineCount());
      const column = Math.min(Math.max(m.column, 1), model.getLineMaxColumn(line));
      const word = model.getWordAtPosition({ lineNumber: line, column });
      return {
        startLineNumber: line, startColumn: word?.startColumn ?? column, endLineNumber: line,
        endColumn: word ? word.endColumn : Math.min(column + 1, model.getLineMaxColumn(line)),
        message: m.message, severity: m.severity === "warning" ? monaco.MarkerSeverity.Warning : monaco.MarkerSeverity.Error,
      };
    }));
  }, [markers, ready]);

  return (
    <div className="relative overflow-hidden rounded-md border border-slate-300 bg-white" style={{ height }}>
      {!ready ? <div className="absolute inset-0 flex items-center justify-center text-sm text-slate-400">Loading the editor…</div> : null}
      <div ref={host} data-testid="sql-editor" data-ready={ready ? "true" : "false"} className="h-full w-full" />
    </div>
  );
}
