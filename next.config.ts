import type { NextConfig } from "next";

const config: NextConfig = {
  // Native and WASM packages stay in node_modules instead of being bundled into the server build.
  // dt-sql-parser is bundled: its ESM build uses directory imports that Node itself cannot resolve.
  serverExternalPackages: ["@electric-sql/pglite", "@electric-sql/pglite-socket", "@duckdb/node-api", "pg", "@polyglot-sql/sdk", "@temporalio/client", "@temporalio/worker"],
  typedRoutes: false,
  // gzip of every API answer cost ~10% of the web process's CPU under load (profiled, bench:api); the workbench
  // is served on loopback or behind a proxy that compresses, so Node does not.
  compress: false,
  devIndicators: false,
};

export default config;
