#!/usr/bin/env node
import { Command } from "commander";
import { commands } from "./commands/index";
import { userMessageOf } from "../server/api/user-message";

// The `tandem` command. Each file in commands/ registers one command (or a small family) on the program;
// commands/index.ts lists them by hand so the set is visible in one place.

const program = new Command()
  .name("tandem")
  .description("Tandem: one SQL, a stream job and a batch job.")
  .showHelpAfterError();

for (const register of commands) register(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  // The terminal is what the user reads: the quoted SQL of a database error shows only with TANDEM_DEBUG=1.
  const message = userMessageOf(e, (line, cause) => { if (process.env.TANDEM_DEBUG) console.error(line, cause); });
  process.stderr.write(`tandem: ${message}\n`);
  process.exitCode = process.exitCode && process.exitCode !== 0 ? process.exitCode : 1;
});
