import type { Command } from "commander";
import { registerApply } from "./apply";
import { registerExport } from "./export";

export type RegisterCommand = (program: Command) => void;

/** Every CLI command, listed by hand. */
export const commands: RegisterCommand[] = [
  registerApply,
  registerExport,
];
