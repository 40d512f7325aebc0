// THE policy: who may do what. Every tRPC procedure and CLI command names one entry of POLICY (or one of
// the two non-project policies below), and nothing else decides access. docs/security.md prints this table;
// server/auth/policy.test.ts checks every procedure against it for every role.

/** Roles in increasing power. `admin` is a platform role (every project); the others are per project. */
export const ROLES = ["viewer", "editor", "owner", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** The longest an API token may live, in days. */
export const MAX_TOKEN_DAYS = 366;

export interface ActionRule {
  /** The least role that may perform the action. */
  minRole: Role;
  /** `project`: checked against the caller's role in the project named by the call; `platform`: needs admin. */
  scope: "project" | "platform";
  description: string;
}

export const POLICY = {
  "catalog.read": { minRole: "viewer", scope: "project", description: "read connections (secrets masked), tables, meta-tables, jobs, lineage; validate and preview SQL" },
  "catalog.write": { minRole: "editor", scope: "project", description: "create, change and delete tables, meta-tables and job drafts" },
  "job.run": { minRole: "editor", scope: "project", description: "run a job or a debug step on the development side" },
  "job.rerun": { minRole: "editor", scope: "project", description: "rerun batch instances" },
  "job.backfill": { minRole: "editor", scope: "project", description: "backfill a range of bizdates" },
  "quality.manage": { minRole: "editor", scope: "project", description: "create, change and delete quality rules; check a partition or reconcile a day by hand" },
  "job.deploy": { minRole: "owner", scope: "project", description: "deploy (or roll back) a job to production, start and stop production stream jobs" },
  "connection.manage": { minRole: "owner", scope: "project", description: "create, change and delete connections and their secrets" },
  "alert.manage": { minRole: "owner", scope: "project", description: "create, change and delete alert channels (webhooks that receive the project's alerts)" },
  "members.read": { minRole: "viewer", scope: "project", description: "list the project's members and roles" },
  "members.manage": { minRole: "owner", scope: "project", description: "add and remove members, change roles" },
  "audit.read": { minRole: "owner", scope: "project", description: "read the project's audit trail" },
  "project.create": { minRole: "admin", scope: "platform", description: "create projects (including `tandem apply` of a new project)" },
  "admin": { minRole: "admin", scope: "platform", description: "manage users and administrators; everything in every project" },
} as const satisfies Record<string, ActionRule>;

export type Action = keyof typeof POLICY;
export const ACTIONS = Object.keys(POLICY) as Action[];

/**
 * The policy of a procedure: an action, or one of
 * - `public`: anyone, signed in or not (sign-in status, the login page's configuration);
 * - `authenticated`: any signed-in caller, acting only on their own things (who am I, my projects, my tokens).
 */
export type Policy = Action | "public" | "authenticated";

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

/** Whether a caller holding `role` may perform `action`. */
export function roleAllows(role: Role | undefined, action: Action): boolean {
  if (!role) return false;
  return roleRank(role) >= roleRank(POLICY[action].minRole);
}

/** The weaker of two roles (a token is capped at its own role and its user's current role). */
export function minRole(a: Role, b: Role): Role {
  return roleRank(a) <= roleRank(b) ? a : b;
}

/** The policy table as Markdown rows (docs/security.md is checked against it). */
export function policyTableMarkdown(): string {
  const head = `| Action | Scope | ${ROLES.join(" | ")} | What it covers |\n|---|---|${ROLES.map(() => "---|").join("")}---|`;
  const rows = ACTIONS.map((a) => {
    const rule: ActionRule = POLICY[a];
    return `| \`${a}\` | ${rule.scope} | ${ROLES.map((r) => (roleAllows(r, a) ? "yes" : "—")).join(" | ")} | ${rule.description} |`;
  });
  return [head, ...rows].join("\n");
}
