// The life of a batch instance (DESIGN §2): waiting (for upstream partitions) → queued → running →
// succeeded | failed | skipped | cancelled. A rerun takes a finished instance back to waiting as its next
// attempt. Every change of state goes through `transition`, so an impossible one is refused in one place,
// with a sentence that says what the instance is doing now.

export const INSTANCE_STATES = ["waiting", "queued", "running", "succeeded", "failed", "skipped", "cancelled"] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];

export const FINISHED_STATES: readonly InstanceState[] = ["succeeded", "failed", "skipped", "cancelled"];

export type InstanceAction = "queue" | "start" | "succeed" | "fail" | "skip" | "cancel" | "rerun";

const TARGET: Record<InstanceAction, InstanceState> = {
  queue: "queued", start: "running", succeed: "succeeded", fail: "failed", skip: "skipped", cancel: "cancelled", rerun: "waiting",
};

/** The states each action may leave from. */
const FROM: Record<InstanceAction, readonly InstanceState[]> = {
  queue: ["waiting"],
  start: ["queued"],
  succeed: ["running"],
  // Waiting past its deadline fails with the partitions it lacked; a run fails with its error.
  fail: ["waiting", "queued", "running"],
  skip: ["waiting", "queued"],
  cancel: ["waiting", "queued", "running"],
  rerun: FINISHED_STATES,
};

export class InvalidTransitionError extends Error {
  constructor(readonly from: InstanceState, readonly action: InstanceAction) {
    super(invalidMessage(from, action));
  }
}

function invalidMessage(from: InstanceState, action: InstanceAction): string {
  if (action === "rerun") return `the instance is ${from}; only a finished instance (succeeded, failed, skipped or cancelled) can be rerun — cancel it first`;
  if (FINISHED_STATES.includes(from)) return `the instance already ${from === "cancelled" ? "was cancelled" : from}; rerun it to run it again`;
  return `an instance that is ${from} cannot ${action} (it can ${allowedActions(from).join(", ") || "do nothing"})`;
}

export function isFinished(state: InstanceState): boolean {
  return FINISHED_STATES.includes(state);
}

export function allowedActions(from: InstanceState): InstanceAction[] {
  return (Object.keys(FROM) as InstanceAction[]).filter((a) => FROM[a].includes(from));
}

/** The state `action` leads to from `from`; throws InvalidTransitionError when it may not happen. */
export function transition(from: InstanceState, action: InstanceAction): InstanceState {
  if (!FROM[action].includes(from)) throw new InvalidTransitionError(from, action);
  return TARGET[action];
}

export function parseState(text: string): InstanceState {
  const s = INSTANCE_STATES.find((x) => x === text);
  if (!s) throw new Error(`unknown instance state '${text}'`);
  return s;
}
