// The lint gate (`npm run lint`, part of `npm test`): typescript-eslint's strict type-checked rules, the
// Temporal determinism rules for workflow definitions, and the import boundaries of docs/ARCHITECTURE.md.
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

const SERVER_FORBIDDEN = [
  { group: ["next", "next/*", "react", "react-dom", "react/*"], message: "server/ is the domain: it never imports Next.js or React." },
  { group: ["@temporalio/*"], message: "server/ never imports Temporal: declare a port in server/ and implement it in workflows/." },
  { group: ["**/app/**", "**/workflows/**", "**/cli/**"], message: "Dependencies point one way: server/ imports only server/ and db/." },
];

export default tseslint.config(
  {
    ignores: [
      "node_modules/**", ".next/**", ".tandem/**", "test-results/**", "playwright-report/**", "next-env.d.ts",
      "**/*.mjs", "**/*.js", "db/migrations/**",
    ],
  },
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // The rules the gate exists for.
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-explicit-any": "error",
      // Numbers and booleans in messages are deliberate and readable; objects still are not allowed.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true, allowNullish: false }],
      // `noUncheckedIndexedAccess` makes `x[i]!` the honest way to state an invariant the checker cannot see.
      "@typescript-eslint/no-non-null-assertion": "off",
      // `onClick={() => setOpen(false)}` is the idiom of every React page; a void call in a block is still flagged.
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true, ignoreVoidOperator: true }],
      // dt-sql-parser builds its parse trees with the antlr4ng copy it bundles; the rule cannot tell that copy's
      // classes from the top-level antlr4ng types Tandem declares them with, though they are the same code.
      "@typescript-eslint/no-unsafe-class-instance-assignment": "off",
      // Interface implementations (Engine, sinks, sources) keep `async` on bodies that happen to be synchronous
      // today, so a throw still arrives as a rejected promise, as callers of the interface expect.
      "@typescript-eslint/require-await": "off",
      // Unused names starting with _ are intentional (positional callback parameters, exhaustive destructuring).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // The embedded Temporal service decodes the wire with protobufjs, whose enums arrive as plain numbers; the
    // @temporalio/proto enum types name the same numbers, so comparing the two is what the protocol means.
    files: ["workflows/devserver/**/*.ts"],
    rules: { "@typescript-eslint/no-unsafe-enum-comparison": "off", "@typescript-eslint/no-unsafe-enum-assignment": "off" },
  },
  {
    files: ["server/**/*.ts"],
    ignores: ["server/**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: SERVER_FORBIDDEN }] },
  },
  {
    files: ["app/**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: { "react-hooks/rules-of-hooks": "error", "react-hooks/exhaustive-deps": "error" },
  },
  {
    // Pages reach the server through tRPC only; types may be imported (AppRouter, RouterOutputs).
    files: ["app/**/*.ts", "app/**/*.tsx"],
    ignores: ["app/api/**"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [{ group: ["**/server/**", "**/db/**", "**/workflows/**", "**/cli/**"], allowTypeImports: true, message: "app/ talks to the server only through tRPC (type imports are fine)." }],
      }],
    },
  },
  {
    // Temporal workflow code is replayed: it must be deterministic and must not touch I/O.
    files: ["workflows/definitions/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          { group: ["node:*", "fs", "path", "os", "crypto", "child_process", "net", "http", "https", "worker_threads"], message: "Workflow code is replayed: no Node APIs." },
          { group: ["**/server/**", "**/db/**", "**/cli/**", "**/app/**"], allowTypeImports: true, message: "Workflows call server/ only through activities (import their types)." },
          { group: ["**/activities", "**/activities/*"], allowTypeImports: true, message: "Import activity types only (`import type`); run them through proxyActivities." },
          { group: ["@temporalio/client", "@temporalio/worker", "@temporalio/activity"], message: "Workflow code may import only @temporalio/workflow and @temporalio/common." },
        ],
      }],
      "no-restricted-properties": ["error",
        { object: "Date", property: "now", message: "Workflow code takes time from workflowInfo() or an activity (house rule: the sandbox makes Date replay-safe, but hides what the time means)." },
        { object: "Math", property: "random", message: "Not deterministic: use uuid4() from @temporalio/workflow or an activity." },
      ],
      "no-restricted-globals": ["error",
        { name: "setTimeout", message: "Use sleep() from @temporalio/workflow." },
        { name: "setInterval", message: "Use sleep() in a loop from @temporalio/workflow." },
        { name: "process", message: "Workflow code must not read the process environment." },
        { name: "fetch", message: "No I/O in workflow code: call an activity." },
      ],
      "no-restricted-syntax": ["error",
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "new Date() is 'now': take time from workflowInfo() or an activity." },
      ],
    },
  },
  {
    // `tandem --help` loads every command's registration: they stay light, the work loads on use (cli/actions).
    files: ["cli/commands/*.ts", "cli/main.ts"],
    ignores: ["cli/**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [{
          // server/auth/policy is plain data (the roles), needed for the help text.
          regex: "/(server/(?!auth/policy$)|db/|workflows/|actions/)|/database$",
          allowTypeImports: true,
          message: "A command registers its options only; import its work with `await import(\"../actions/...\")` inside the action.",
        }],
      }],
    },
  },
  {
    files: ["**/*.test.ts", "e2e/**/*.ts", "bench/**/*.ts", "workflows/test/**/*.ts"],
    rules: {
      // Tests assert shapes the types already promise, on purpose.
      "@typescript-eslint/no-unnecessary-condition": "off",
      // vitest's asymmetric matchers (expect.any, expect.stringMatching) and untyped workflow handles are `any`.
      "@typescript-eslint/no-unsafe-assignment": "off",
    },
  },
);
