// The `tandem` CLI as one prebuilt ES module bundle, so an everyday command starts in a plain Node process
// (no TypeScript loader) and loads the heavy modules (SQL parser, DuckDB, Temporal, PGlite) only in the
// commands that use them (cli/commands/* register options; cli/actions/* do the work, imported lazily).
//
// The bundle lives in node_modules/.cache/tandem/ and is rebuilt (about a second) whenever one of its
// source files, the lock file or this script is newer than it, so a checkout never runs stale code.
// Pure-JS packages are bundled too: Node's ES module loader spends most of a cold start resolving
// drizzle-orm's and better-auth's hundreds of files (0.6-0.9 s each). Packages with native code, WASM
// or files found next to their own modules stay external and load from node_modules as usual.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CACHE = path.join(ROOT, "node_modules", ".cache", "tandem");
const CURRENT = path.join(CACHE, "cli.json");
const ALWAYS_CHECKED = ["package-lock.json", "bin/cli-bundle.mjs", "tsconfig.json"];
const EXTERNAL_PACKAGES = /^(node:|@duckdb\/|@electric-sql\/|@temporalio\/|@grpc\/|@polyglot-sql\/|@swc\/|pg$|pg\/|pg-native|next$|next\/|esbuild)/;

/** The entry file of an up-to-date bundle, building one first when there is none or it is stale. */
export async function cliEntry() {
  const current = readCurrent();
  if (current && isFresh(current)) return current.entry;
  return build();
}

function readCurrent() {
  try {
    const c = JSON.parse(fs.readFileSync(CURRENT, "utf8"));
    return fs.existsSync(c.entry) ? c : undefined;
  } catch {
    return undefined;
  }
}

function isFresh(current) {
  for (const rel of [...ALWAYS_CHECKED, ...current.inputs]) {
    let mtime;
    try {
      mtime = fs.statSync(path.join(ROOT, rel)).mtimeMs;
    } catch {
      return false; // a source file was removed or renamed
    }
    if (mtime > current.builtFrom) return false;
  }
  return true;
}

/** Source files keep their own import.meta.url, so paths relative to them (migrations, examples, the
 * workflow sources Temporal bundles itself) resolve as they do under tsx. */
const sourceUrls = {
  name: "tandem-source-urls",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (EXTERNAL_PACKAGES.test(args.path) ? { path: args.path, external: true } : undefined));
    b.onLoad({ filter: /\.tsx?$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const text = fs.readFileSync(args.path, "utf8");
      return { contents: text.replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)), loader: args.path.endsWith("x") ? "tsx" : "ts" };
    });
  },
};

async function build() {
  const { build: esbuild } = await import("esbuild");
  const builtFrom = Date.now();
  // A fresh folder per build, published by renaming cli.json: a concurrent `tandem` never sees half a build.
  const outdir = path.join(CACHE, `cli-${builtFrom}-${process.pid}`);
  const result = await esbuild({
    absWorkingDir: ROOT,
    entryPoints: ["cli/main.ts"],
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node22",
    sourcemap: true,
    metafile: true,
    logLevel: "error",
    tsconfig: path.join(ROOT, "tsconfig.json"),
    plugins: [sourceUrls],
    // Bundled CommonJS code (in dt-sql-parser's dependencies) may call require().
    banner: { js: "import { createRequire as __tandemCreateRequire } from 'node:module'; const require = __tandemCreateRequire(import.meta.url);" },
  });
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith("node_modules/"));
  const entry = path.join(outdir, "main.js");
  const tmp = `${CURRENT}.${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify({ entry, builtFrom, inputs }));
  fs.renameSync(tmp, CURRENT);
  removeOldBuilds(outdir);
  return entry;
}

function removeOldBuilds(keep) {
  for (const name of fs.readdirSync(CACHE)) {
    const dir = path.join(CACHE, name);
    // Kept for a day: a long-running `tandem dev` or `tandem run` may still load a lazy chunk of its build.
    if (name.startsWith("cli-") && dir !== keep && Date.now() - fs.statSync(dir).mtimeMs > 86_400_000) fs.rmSync(dir, { recursive: true, force: true });
  }
}
