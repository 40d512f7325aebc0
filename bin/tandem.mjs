#!/usr/bin/env node
// `tandem` launcher: runs the TypeScript CLI through tsx (dt-sql-parser needs a loader for its
// directory imports, and tsx keeps one code path for dev and installed use).
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const tsxCli = require.resolve("tsx/cli");
const main = fileURLToPath(new URL("../cli/main.ts", import.meta.url));
const result = spawnSync(process.execPath, [tsxCli, main, ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(result.status ?? 1);
