import type { Command } from "commander";
import { ROLES, type Role } from "../../server/auth/policy";
import { createToken, listTokens, MAX_TOKEN_DAYS, revokeToken } from "../../server/auth/tokens";
import { withCliContext } from "../database";

// API tokens for CI and scripts: `TANDEM_TOKEN=tdm_... tandem apply -f project.yaml` acts as the token.

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
    .action(async (opts: { name: string; project?: string; role: string; expiresDays: number; user?: string }) => {
      await withCliContext("token create", async (ctx) => {
        const created = await createToken(ctx, { name: opts.name, project: opts.project, role: opts.role as Role, expiresInDays: opts.expiresDays }, { forUserEmail: opts.user });
        const v = created.view;
        process.stderr.write(`Created token '${v.name}' (${v.id}) for ${v.user}: ${v.role}${v.project ? ` in project '${v.project}'` : " on every project"}, expires ${v.expiresAt.toISOString()}.\nIt is shown once; store it as a secret (TANDEM_TOKEN):\n`);
        process.stdout.write(`${created.token}\n`);
      });
    });

  token
    .command("list")
    .description("List tokens (yours; --all for every user's, admins only)")
    .option("--all", "every user's tokens")
    .option("--json", "print JSON")
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      await withCliContext("token list", async (ctx) => {
        const tokens = await listTokens(ctx, { all: opts.all });
        if (opts.json) return void process.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`);
        if (tokens.length === 0) return void process.stdout.write("No tokens.\n");
        for (const t of tokens) {
          const state = t.revokedAt ? "revoked" : t.expiresAt <= new Date() ? "expired" : `expires ${t.expiresAt.toISOString().slice(0, 10)}`;
          process.stdout.write(`${t.id}  ${t.prefix}…  ${t.name}  ${t.user}  ${t.role}${t.project ? `@${t.project}` : ""}  ${state}\n`);
        }
      });
    });

  token
    .command("revoke")
    .description("Revoke a token at once")
    .argument("<id>", "token id (from `tandem token list`)")
    .action(async (id: string) => {
      await withCliContext("token revoke", async (ctx) => {
        const t = await revokeToken(ctx, id);
        process.stdout.write(`Revoked token '${t.name}' (${t.id}).\n`);
      });
    });
}
