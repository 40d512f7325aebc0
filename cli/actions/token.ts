import type { Role } from "../../server/auth/policy";
import { createToken, listTokens, revokeToken } from "../../server/auth/tokens";
import { withCliContext } from "../database";
import type { CreateTokenOptions, ListTokensOptions } from "../commands/token";

/** `tandem token create`: the token on stdout (once), what it may do on stderr. */
export async function createTokenCommand(opts: CreateTokenOptions): Promise<void> {
  await withCliContext("token create", async (ctx) => {
    const created = await createToken(ctx, { name: opts.name, project: opts.project, role: opts.role as Role, expiresInDays: opts.expiresDays }, { forUserEmail: opts.user });
    const v = created.view;
    process.stderr.write(`Created token '${v.name}' (${v.id}) for ${v.user}: ${v.role}${v.project ? ` in project '${v.project}'` : " on every project"}, expires ${v.expiresAt.toISOString()}.\nIt is shown once; store it as a secret (TANDEM_TOKEN):\n`);
    process.stdout.write(`${created.token}\n`);
  });
}

/** `tandem token list`: one line a token, or JSON. */
export async function listTokensCommand(opts: ListTokensOptions): Promise<void> {
  await withCliContext("token list", async (ctx) => {
    const tokens = await listTokens(ctx, { all: opts.all });
    if (opts.json) return void process.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`);
    if (tokens.length === 0) return void process.stdout.write("No tokens.\n");
    for (const t of tokens) {
      const state = t.revokedAt ? "revoked" : t.expiresAt <= new Date() ? "expired" : `expires ${t.expiresAt.toISOString().slice(0, 10)}`;
      process.stdout.write(`${t.id}  ${t.prefix}…  ${t.name}  ${t.user}  ${t.role}${t.project ? `@${t.project}` : ""}  ${state}\n`);
    }
  });
}

/** `tandem token revoke <id>`. */
export async function revokeTokenCommand(id: string): Promise<void> {
  await withCliContext("token revoke", async (ctx) => {
    const t = await revokeToken(ctx, id);
    process.stdout.write(`Revoked token '${t.name}' (${t.id}).\n`);
  });
}
