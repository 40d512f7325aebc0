import type { Command } from "commander";
import { registerApply } from "./apply";
import { registerDev } from "./dev";
import { registerExport } from "./export";

export type RegisterCommand = (program: Command) => void;

/** Every CLI command, listed by hand. */
export const commands: RegisterCommand[] = [
  registerDev,
  registerApply,
  registerExport,
];
