import type { Command } from "commander";
import { registerAdmin } from "./admin";
import { registerApply } from "./apply";
import { registerDev } from "./dev";
import { registerExport } from "./export";
import { registerSchema } from "./schema";
import { registerToken } from "./token";
import { registerTranslate } from "./translate";
import { registerValidate } from "./validate";
import { registerTemporalDev } from "./temporal-dev";
import { registerWorker } from "./worker";
import { registerRun } from "./run";
import { registerDemo } from "./demo";
import { registerDeploy } from "./deploy";
import { registerUndeploy } from "./undeploy";
import { registerInstances } from "./instances";
import { registerServe } from "./serve";
import { registerHealth } from "./health";
import { registerLineage } from "./lineage";

export type RegisterCommand = (program: Command) => void;

/** Every CLI command, listed by hand. */
export const commands: RegisterCommand[] = [
  registerDev,
  registerServe,
  registerApply,
  registerExport,
  registerSchema,
  registerTemporalDev,
  registerWorker,
  registerTranslate,
  registerValidate,
  registerAdmin,
  registerToken,
  registerRun,
  registerDemo,
  registerDeploy,
  registerUndeploy,
  registerInstances,
  registerHealth,
  registerLineage,
];
