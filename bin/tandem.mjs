#!/usr/bin/env node
// `tandem` launcher. Tandem needs Node.js 22 (package.json engines); `npm install` puts one in
// node_modules (the node-linux-* optional dependency), and an older `node` on the PATH hands over to it.
// Then the CLI runs from its prebuilt bundle (bin/cli-bundle.mjs), in this same process.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import module from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  const bundledNode = fileURLToPath(new URL("../node_modules/.bin/node", import.meta.url));
  if (!fs.existsSync(bundledNode)) {
    process.stderr.write(`tandem: Node.js 22 or newer is needed (this is ${process.version}); run \`npm install\` in Tandem's folder, or install Node.js 22.\n`);
    process.exit(1);
  }
  const result = spawnSync(bundledNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(result.status ?? 1);
}

// V8 keeps the compiled bundle on disk: the parser chunk alone takes a quarter second to compile.
module.enableCompileCache?.();
if (process.env.TANDEM_LOG_LEVEL === "debug") process.setSourceMapsEnabled(true);
const { cliEntry } = await import("./cli-bundle.mjs");
await import(pathToFileURL(await cliEntry()).href);
