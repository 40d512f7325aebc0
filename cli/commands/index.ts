import type { Command } from "commander";

export type RegisterCommand = (program: Command) => void;

/** Every CLI command, listed by hand. */
export const commands: RegisterCommand[] = [];
