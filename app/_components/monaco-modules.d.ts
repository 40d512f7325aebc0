// Monaco's ESM entry with every editor contribution (find, suggest, hover) and no languages: the same API
// as editor.api, which has the types.
declare module "monaco-editor/esm/vs/editor/edcore.main.js" {
  export * from "monaco-editor/esm/vs/editor/editor.api";
}
declare module "monaco-sql-languages/esm/languages/flink/flink.contribution.js";
