import crypto from "node:crypto";
import { setMember } from "../../server/auth/members";
import type { ProjectRole } from "../../db/schema/index";
import { authSettings, type AuthSettings } from "../../server/auth/settings";
import { createUser } from "../../server/auth/users";
import { getProject } from "../../server/projects/projects";
import { withCliContext } from "../database";
import type { CreateAdminOptions, CreateUserOptions, GrantOptions } from "../commands/admin";

// `tandem admin ...` runs as the CLI's actor: the operator holding the database, or the admin / owner
// behind TANDEM_TOKEN.

async function readPassword(fromStdin: boolean): Promise<{ password: string; generated: boolean }> {
  if (!fromStdin) return { password: crypto.randomBytes(18).toString("base64url"), generated: true };
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return { password: Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, ""), generated: false };
}

/** Password hashing does not use the auth secret, so users can be prepared before login is turned on. */
function loginSettings(): Extract<AuthSettings, { mode: "login" }> {
  const s = authSettings();
  if (s.mode === "login") return s;
  process.stderr.write("Note: login is off (local single-user mode). This account can sign in once TANDEM_AUTH_SECRET is set.\n");
  return { mode: "login", secret: crypto.randomBytes(32).toString("base64"), baseURL: "http://localhost" };
}

function printPassword(email: string, p: { password: string; generated: boolean }): void {
  if (p.generated) process.stdout.write(`Password for ${email} (shown once; change it after the first sign-in): ${p.password}\n`);
}

/** `tandem admin create`. */
export async function createAdmin(opts: CreateAdminOptions): Promise<void> {
  const p = await readPassword(opts.passwordStdin ?? false);
  await withCliContext("admin create", async (ctx) => {
    const user = await createUser(ctx, loginSettings(), { email: opts.email, name: opts.name, password: p.password, isAdmin: true });
    process.stdout.write(`Created administrator ${user.email}.\n`);
    printPassword(user.email, p);
  });
}

/** `tandem admin create-user`, optionally with a role in a project. */
export async function createUserCommand(opts: CreateUserOptions): Promise<void> {
  const p = await readPassword(opts.passwordStdin ?? false);
  await withCliContext("admin create-user", async (ctx) => {
    const user = await createUser(ctx, loginSettings(), { email: opts.email, name: opts.name, password: p.password });
    process.stdout.write(`Created user ${user.email}.\n`);
    if (opts.project) {
      const m = await setMember({ ...ctx, project: await getProject(ctx.db, opts.project) }, { email: user.email, role: opts.role as ProjectRole });
      process.stdout.write(`${m.email} is ${m.role} in project '${opts.project}'.\n`);
    }
    printPassword(user.email, p);
  });
}

/** `tandem admin grant`. */
export async function grantRole(opts: GrantOptions): Promise<void> {
  await withCliContext("admin grant", async (ctx) => {
    const m = await setMember({ ...ctx, project: await getProject(ctx.db, opts.project) }, { email: opts.email, role: opts.role as ProjectRole });
    process.stdout.write(`${m.email} is ${m.role} in project '${opts.project}'.\n`);
  });
}
