#!/usr/bin/env node
import { Command } from "commander";
import { commands } from "./commands/index";
import { debugLogging, userMessage } from "./errors";

// The `tandem` command. Each file in commands/ registers one command (or a small family) on the program;
// commands/index.ts lists them by hand so the set is visible in one place.

const program = new Command()
  .name("tandem")
  .description("Tandem: one SQL, a stream job and a batch job.")
  .showHelpAfterError();

for (const register of commands) register(program);

/** One sentence on stderr (the stack only at TANDEM_LOG_LEVEL=debug) and a failing exit code. */
function report(e: unknown): void {
  process.stderr.write(`tandem: ${userMessage(e)}\n`);
  if (debugLogging() && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exitCode = process.exitCode && process.exitCode !== 0 ? process.exitCode : 1;
}

// A database socket that dies under a running command (its `tandem dev` killed) surfaces as an error event
// outside any await: it gets the same sentence, not a Node stack trace.
process.on("uncaughtException", (e) => {
  report(e);
  process.exit();
});
process.on("unhandledRejection", (e) => {
  report(e);
  process.exit();
});

program.parseAsync(process.argv).catch(report);
