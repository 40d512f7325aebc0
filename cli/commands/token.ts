import type { Command } from "commander";
import { MAX_TOKEN_DAYS, ROLES } from "../../server/auth/policy";

// API tokens for CI and scripts: `TANDEM_TOKEN=tdm_... tandem apply -f project.yaml` acts as the token.
// The options here; the work in cli/actions/token.ts, loaded only when a token command runs.

export interface CreateTokenOptions { name: string; project?: string; role: string; expiresDays: number; user?: string }
export interface ListTokensOptions { all?: boolean; json?: boolean }

export function registerToken(program: Command): void {
  const token = program.command("token").description("API tokens (hashed at rest, scoped to a project and a role, expiring)");

  token
    .command("create")
    .description("Create a token; it is printed once")
    .requiredOption("--name <name>", "what the token is for, e.g. ci-deploy")
    .option("-p, --project <name>", "the project it may act in (omit only for an admin token)")
    .requiredOption("--role <role>", `one of ${ROLES.join(", ")}; at most the user's own role`)
    .option("--expires-days <days>", `days until it expires (1-${MAX_TOKEN_DAYS})`, (v) => Number(v), 90)
    .option("--user <email>", "create it for this user (the operator or an admin); default: the TANDEM_TOKEN user")
    .action(async (opts: CreateTokenOptions) => {
      await (await import("../actions/token")).createTokenCommand(opts);
    });

  token
    .command("list")
    .description("List tokens (yours; --all for every user's, admins only)")
    .option("--all", "every user's tokens")
    .option("--json", "print JSON")
    .action(async (opts: ListTokensOptions) => {
      await (await import("../actions/token")).listTokensCommand(opts);
    });

  token
    .command("revoke")
    .description("Revoke a token at once (and every token it minted)")
    .argument("<id>", "token id (from `tandem token list`)")
    .action(async (id: string) => {
      await (await import("../actions/token")).revokeTokenCommand(id);
    });
}
