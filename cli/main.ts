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

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`tandem: ${userMessage(e)}\n`);
  if (debugLogging() && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exitCode = process.exitCode && process.exitCode !== 0 ? process.exitCode : 1;
});
