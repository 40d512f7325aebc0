import type { Command } from "commander";
import { ROLES } from "../../server/auth/policy";

// `tandem admin create` makes the first (or another) administrator; `create-user` and `grant` add people and
// give them a role in a project. The options here; the work in cli/actions/admin.ts, loaded on use.

/** Roles a member can hold in one project (admin is platform-wide, given by `admin create`). */
const PROJECT_ROLE_NAMES = ROLES.filter((r) => r !== "admin");

export interface CreateAdminOptions { email: string; name?: string; passwordStdin?: boolean }
export interface CreateUserOptions extends CreateAdminOptions { project?: string; role: string }
export interface GrantOptions { email: string; project: string; role: string }

export function registerAdmin(program: Command): void {
  const admin = program.command("admin").description("Users and administrators (login mode)");

  admin
    .command("create")
    .description("Create an administrator (every action in every project)")
    .requiredOption("--email <email>", "email address, used to sign in")
    .option("--name <name>", "display name")
    .option("--password-stdin", "read the password from standard input (else one is generated and printed once)")
    .action(async (opts: CreateAdminOptions) => {
      await (await import("../actions/admin")).createAdmin(opts);
    });

  admin
    .command("create-user")
    .description("Create a user who signs in with email and password, optionally with a role in a project")
    .requiredOption("--email <email>", "email address, used to sign in")
    .option("--name <name>", "display name")
    .option("--password-stdin", "read the password from standard input (else one is generated and printed once)")
    .option("-p, --project <name>", "project to add the user to")
    .option("--role <role>", `role in the project: ${PROJECT_ROLE_NAMES.join(", ")}`, "viewer")
    .action(async (opts: CreateUserOptions) => {
      await (await import("../actions/admin")).createUserCommand(opts);
    });

  admin
    .command("grant")
    .description("Give a user a role in a project (or change it)")
    .requiredOption("--email <email>", "the user")
    .requiredOption("-p, --project <name>", "the project")
    .requiredOption("--role <role>", `one of ${PROJECT_ROLE_NAMES.join(", ")}`)
    .action(async (opts: GrantOptions) => {
      await (await import("../actions/admin")).grantRole(opts);
    });
}
