import { randomUUID } from "node:crypto";
import type { TemporalActivityRuntime, TemporalExecutionRuntime } from "../../db/schema/temporal";
import { alreadyExists, deadlineExceeded, invalidArgument, notFound, RpcError, Status } from "./errors";
import { Matching } from "./matching";
import { dur, durMs, L, num, temporal, ts, tsMs, type gpb, type pb } from "./proto";
import type { ExecutionRow, Store } from "./store";

// The workflow engine of the dev service: executions, their history and the tasks derived from it.
// Every mutation is synchronous (one JS turn), queues its writes in the store and registers follow-ups
// (dispatching a task, waking a long poll) that run after the commit: nothing reaches a worker or a
// client before it is durable. State is derived from history by applyEvent(), both live and on boot.

type IEvent = pb.api.history.v1.IHistoryEvent;
type IPayloads = pb.api.common.v1.IPayloads;
type IFailure = pb.api.failure.v1.IFailure;
type IRetryPolicy = pb.api.common.v1.IRetryPolicy;
type ICommand = pb.api.command.v1.ICommand;
type IStartedAttrs = pb.api.history.v1.IWorkflowExecutionStartedEventAttributes;
type IActivityScheduled = pb.api.history.v1.IActivityTaskScheduledEventAttributes;
type IChildInitiated = pb.api.history.v1.IStartChildWorkflowExecutionInitiatedEventAttributes;
type IWorkflowQuery = pb.api.query.v1.IWorkflowQuery;
type IDuration = gpb.protobuf.IDuration;


const E = temporal.api.enums.v1;
const ET = E.EventType;
const CT = E.CommandType;
const WS = E.WorkflowExecutionStatus;
const RS = E.RetryState;
const TT = E.TimeoutType;
const FailedCause = E.WorkflowTaskFailedCause;
const Payloads = temporal.api.common.v1.Payloads;
const Failure = temporal.api.failure.v1.Failure;

const DEFAULT_WFT_TIMEOUT_MS = 10_000;
const MAX_TIMER_MS = 2_147_000_000;
/** Closed executions whose history stays in memory; older ones are read back from the database. */
const CLOSED_HISTORY_CACHE = 2000;

export interface NamespaceInfo {
  name: string;
  description: string;
  retentionDays: number;
}

interface Cancelable {
  cancel(): void;
}

interface Wft {
  scheduledEventId: number;
  attempt: number;
  startedEventId?: number;
  startedMs?: number;
  scheduledMs: number;
  timer?: Cancelable;
  /** Queries handed out with this task (answered in its completion). */
  queries: string[];
}

interface PendingActivity {
  scheduledEventId: number;
  attrs: IActivityScheduled;
  scheduledMs: number;
  rt: TemporalActivityRuntime;
  cancelRequested: boolean;
  cancelRequestedEventId: number;
  /** Result known (possibly still buffered): no timer may touch it any more. */
  resolved: boolean;
  timers: Cancelable[];
}

interface PendingTimer {
  timerId: string;
  startedEventId: number;
  fireAtMs: number;
  handle?: Cancelable;
  resolved: boolean;
}

interface PendingChild {
  initiatedEventId: number;
  attrs: IChildInitiated;
  runId?: string;
  started: boolean;
}

interface PendingQuery {
  id: string;
  runId: string;
  query: IWorkflowQuery;
  resolve(res: pb.api.workflowservice.v1.IQueryWorkflowResponse): void;
  reject(e: unknown): void;
  timer: NodeJS.Timeout;
}

export type WorkflowTaskRef = { kind: "wft"; runId: string; scheduledEventId: number; attempt: number } | { kind: "query"; queryId: string };
export interface ActivityTaskRef {
  runId: string;
  scheduledEventId: number;
  attempt: number;
}

export class Execution {
  events: IEvent[] | undefined = [];
  historyLength = 0;
  started!: IStartedAttrs;
  status: number = WS.WORKFLOW_EXECUTION_STATUS_RUNNING;
  startMs = 0;
  closeMs = 0;
  closeEvent: IEvent | undefined;
  wft: Wft | undefined;
  nextWftAttempt = 1;
  lastCompletedStartedEventId = 0;
  activities = new Map<number, PendingActivity>();
  activityIds = new Map<string, number>();
  timers = new Map<string, PendingTimer>();
  children = new Map<number, PendingChild>();
  childStartedIds = new Map<number, number>();
  externals = new Map<number, { kind: "cancel" | "signal" }>();
  buffered: IEvent[] = [];
  bufferSeq = 0;
  cancelRequested = false;
  queuedQueries: string[] = [];
  closeWaiters = new Set<() => void>();
  eventWaiters = new Set<() => void>();
  workflowTimers: Cancelable[] = [];
  requestId = "";
  newRunId = "";

  constructor(
    readonly namespace: string,
    readonly workflowId: string,
    readonly runId: string,
  ) {}

  get open(): boolean {
    return this.status === WS.WORKFLOW_EXECUTION_STATUS_RUNNING;
  }
  get workflowType(): string {
    return this.started.workflowType?.name ?? "";
  }
  get taskQueue(): string {
    return this.started.taskQueue?.name ?? "";
  }
  get wftTimeoutMs(): number {
    return durMs(this.started.workflowTaskTimeout) || DEFAULT_WFT_TIMEOUT_MS;
  }
  get parentRunId(): string | undefined {
    return this.started.parentWorkflowExecution?.runId || undefined;
  }
  get execution(): { workflowId: string; runId: string } {
    return { workflowId: this.workflowId, runId: this.runId };
  }
}

export interface StartRequest {
  namespace: string;
  workflowId: string;
  workflowType: string;
  taskQueue: string;
  input?: IPayloads | null;
  workflowExecutionTimeout?: IDuration | null;
  workflowRunTimeout?: IDuration | null;
  workflowTaskTimeout?: IDuration | null;
  identity?: string | null;
  requestId?: string | null;
  workflowIdReusePolicy?: number | null;
  workflowIdConflictPolicy?: number | null;
  retryPolicy?: IRetryPolicy | null;
  cronSchedule?: string | null;
  memo?: pb.api.common.v1.IMemo | null;
  searchAttributes?: pb.api.common.v1.ISearchAttributes | null;
  header?: pb.api.common.v1.IHeader | null;
  workflowStartDelay?: IDuration | null;
  /** Signal delivered atomically with the start (SignalWithStart). */
  signal?: { name: string; input?: IPayloads | null; header?: pb.api.common.v1.IHeader | null };
}

function isEmptyPayloads(p: IPayloads | null | undefined): boolean {
  return !p || !p.payloads || p.payloads.length === 0;
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}

function encodePayloads(p: IPayloads | null | undefined): string | undefined {
  return isEmptyPayloads(p) || !p ? undefined : b64(Payloads.encode(p).finish());
}

export function decodePayloads(s: string | undefined): IPayloads | undefined {
  if (!s) return undefined;
  return Payloads.toObject(Payloads.decode(Buffer.from(s, "base64")), { arrays: true });
}

function encodeFailure(f: IFailure | null | undefined): string | undefined {
  return f ? b64(Failure.encode(f).finish()) : undefined;
}

function decodeFailure(s: string | undefined): IFailure | undefined {
  if (!s) return undefined;
  return Failure.toObject(Failure.decode(Buffer.from(s, "base64")), { arrays: true });
}

export function encodeTaskToken(t: Record<string, string | number>): Buffer {
  return Buffer.from(JSON.stringify(t), "utf8");
}

function decodeTaskToken(token: Uint8Array | null | undefined): Record<string, unknown> {
  if (!token || token.length === 0) throw invalidArgument("Task token not set on request.");
  try {
    const v: unknown = JSON.parse(Buffer.from(token).toString("utf8"));
    if (v && typeof v === "object") return v as Record<string, unknown>;
  } catch {
    // fall through: a token we did not issue
  }
  throw invalidArgument("Error deserializing task token.");
}

function tokenNumber(t: Record<string, unknown>, k: string): number {
  const v = t[k];
  if (typeof v !== "number") throw invalidArgument("Error deserializing task token.");
  return v;
}

function tokenString(t: Record<string, unknown>, k: string): string {
  const v = t[k];
  if (typeof v !== "string") throw invalidArgument("Error deserializing task token.");
  return v;
}

/** Fill the retry policy defaults of the real server (1 s, x2, 100x, unlimited). */
function withRetryDefaults(p: IRetryPolicy | null | undefined): IRetryPolicy {
  const initial = durMs(p?.initialInterval) || 1000;
  return {
    initialInterval: dur(initial),
    backoffCoefficient: p?.backoffCoefficient || 2,
    maximumInterval: dur(durMs(p?.maximumInterval) || 100 * initial),
    maximumAttempts: p?.maximumAttempts ?? 0,
    nonRetryableErrorTypes: p?.nonRetryableErrorTypes ?? [],
  };
}

/** Delay before the next attempt, or the retry state that forbids one. */
function retryDecision(
  policy: IRetryPolicy | null | undefined,
  attempt: number,
  failure: IFailure | undefined,
  expiresAtMs: number,
  now: number,
): { delayMs: number } | { state: number } {
  if (!policy) return { state: RS.RETRY_STATE_RETRY_POLICY_NOT_SET };
  const app = failure?.applicationFailureInfo;
  if (app?.nonRetryable) return { state: RS.RETRY_STATE_NON_RETRYABLE_FAILURE };
  if (app?.type && (policy.nonRetryableErrorTypes ?? []).includes(app.type)) return { state: RS.RETRY_STATE_NON_RETRYABLE_FAILURE };
  const max = policy.maximumAttempts ?? 0;
  if (max > 0 && attempt >= max) return { state: RS.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED };
  let delayMs: number;
  const explicit = app?.nextRetryDelay ? durMs(app.nextRetryDelay) : 0;
  if (explicit > 0) delayMs = explicit;
  else {
    const initial = durMs(policy.initialInterval) || 1000;
    const maxInterval = durMs(policy.maximumInterval) || 100 * initial;
    delayMs = Math.min(initial * Math.pow(policy.backoffCoefficient || 2, attempt - 1), maxInterval);
  }
  if (expiresAtMs > 0 && now + delayMs >= expiresAtMs) return { state: RS.RETRY_STATE_TIMEOUT };
  return { delayMs };
}

function timeoutFailure(kind: string, timeoutType: number, details?: IPayloads, cause?: IFailure): IFailure {
  return {
    message: `activity ${kind} timeout`,
    source: "Server",
    timeoutFailureInfo: { timeoutType, lastHeartbeatDetails: details ?? null },
    cause: cause ?? null,
  };
}

const CLOSE_EVENT_TYPES = new Set<number>([
  ET.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  ET.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  ET.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  ET.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  ET.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  ET.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
]);

export interface EngineOptions {
  store: Store;
  log?: (level: "info" | "warn" | "error", message: string) => void;
}

export class Engine {
  readonly runs = new Map<string, Execution>();
  private readonly current = new Map<string, Execution>();
  readonly namespaces = new Map<string, NamespaceInfo>();
  readonly workflowTasks = new Matching<WorkflowTaskRef>();
  readonly activityTasks = new Matching<ActivityTaskRef>();
  private readonly dirty = new Set<Execution>();
  private after: (() => void)[] = [];
  private readonly queries = new Map<string, PendingQuery>();
  private readonly closedWithHistory: Execution[] = [];
  readonly closeListeners: ((exec: Execution) => void)[] = [];
  private stopped = false;
  readonly store: Store;
  private readonly log: NonNullable<EngineOptions["log"]>;

  constructor(opts: EngineOptions) {
    this.store = opts.store;
    this.log = opts.log ?? (() => undefined);
  }

  // ---------------------------------------------------------------- plumbing

  /** Commit queued writes, then run the follow-ups registered before this call. */
  async commit(): Promise<void> {
    for (const e of this.dirty) this.store.putExecution(this.rowOf(e));
    this.dirty.clear();
    const fns = this.after;
    this.after = [];
    await this.store.flush();
    for (const f of fns) {
      try {
        f();
      } catch (e) {
        this.log("error", `follow-up failed: ${String(e)}`);
      }
    }
  }

  afterCommit(fn: () => void): void {
    this.after.push(fn);
  }

  /** Run a mutation from a timer; commit in the background. */
  private fromTimer(fn: () => void): void {
    if (this.stopped) return;
    try {
      fn();
    } catch (e) {
      this.log("error", `timer handler failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
    this.commit().catch((e: unknown) => this.log("error", `commit failed: ${String(e)}`));
  }

  setTimer(atMs: number, fn: () => void): Cancelable {
    let handle: NodeJS.Timeout | undefined;
    let cancelled = false;
    const arm = () => {
      const wait = Math.max(0, atMs - Date.now());
      handle = setTimeout(() => {
        if (cancelled) return;
        if (atMs - Date.now() > 0) arm();
        else this.fromTimer(fn);
      }, Math.min(wait, MAX_TIMER_MS));
    };
    arm();
    return {
      cancel() {
        cancelled = true;
        if (handle) clearTimeout(handle);
      },
    };
  }

  stop(): void {
    this.stopped = true;
    for (const exec of this.runs.values()) this.cancelAllTimers(exec);
    for (const q of this.queries.values()) {
      clearTimeout(q.timer);
      q.reject(new RpcError(Status.UNAVAILABLE, "the dev service is shutting down"));
    }
    this.workflowTasks.release("");
    this.activityTasks.release("");
  }

  private rowOf(e: Execution): ExecutionRow {
    const activities: TemporalExecutionRuntime["activities"] = {};
    for (const a of e.activities.values()) if (!a.resolved) activities[String(a.scheduledEventId)] = a.rt;
    return {
      runId: e.runId,
      namespace: e.namespace,
      workflowId: e.workflowId,
      workflowType: e.workflowType,
      taskQueue: e.taskQueue,
      status: e.status,
      startTime: new Date(e.startMs),
      closeTime: e.closeMs ? new Date(e.closeMs) : null,
      historyLength: e.historyLength,
      runtime: { activities },
    };
  }

  queueKey(namespace: string, taskQueue: string): string {
    return `${namespace}\u0000${taskQueue}`;
  }

  // ---------------------------------------------------------------- namespaces & lookup

  requireNamespace(name: string | null | undefined): NamespaceInfo {
    if (!name) throw invalidArgument("Namespace not set on request.");
    const ns = this.namespaces.get(name);
    if (!ns) throw notFound(`Namespace ${name} is not found.`);
    return ns;
  }

  registerNamespace(ns: NamespaceInfo): void {
    if (this.namespaces.has(ns.name)) throw alreadyExists(`Namespace already exists.`);
    this.namespaces.set(ns.name, ns);
    this.store.putNamespace(ns);
  }

  /** The run named by (workflowId, runId?), the current one when runId is empty. */
  getExecution(namespace: string, execution: { workflowId?: string | null; runId?: string | null } | null | undefined): Execution {
    this.requireNamespace(namespace);
    const workflowId = execution?.workflowId;
    if (!workflowId) throw invalidArgument("WorkflowId is not set on request.");
    const runId = execution.runId;
    if (runId) {
      const exec = this.runs.get(runId);
      if (!exec || exec.workflowId !== workflowId || exec.namespace !== namespace)
        throw notFound(`workflow execution not found for workflow ID "${workflowId}" and run ID "${runId}"`);
      return exec;
    }
    const exec = this.current.get(`${namespace}\u0000${workflowId}`);
    if (!exec) throw notFound(`workflow execution not found for workflow ID "${workflowId}"`);
    return exec;
  }

  currentRun(namespace: string, workflowId: string): Execution | undefined {
    return this.current.get(`${namespace}\u0000${workflowId}`);
  }

  async historyOf(exec: Execution): Promise<IEvent[]> {
    if (exec.events) return exec.events;
    const events = await this.store.loadEvents(exec.runId);
    return events;
  }

  // ---------------------------------------------------------------- history append & state

  private makeEvent(type: number, attrs: Omit<IEvent, "eventId" | "eventType" | "eventTime">): IEvent {
    return { eventType: type, eventTime: ts(Date.now()), ...attrs };
  }

  private append(exec: Execution, ev: IEvent): IEvent {
    if (!exec.events) throw new Error(`history of ${exec.runId} is not loaded`);
    const eventId = exec.historyLength + 1;
    ev.eventId = L(eventId);
    if (!ev.eventTime) ev.eventTime = ts(Date.now());
    this.linkReferences(exec, ev, eventId);
    exec.events.push(ev);
    exec.historyLength = eventId;
    this.applyEvent(exec, ev);
    this.store.appendEvents(exec.runId, [ev]);
    // The execution row is rewritten only when it changes meaningfully (start, close, activity state):
    // history is the source of truth and the row's length is refreshed with those writes.
    if (eventId === 1 || !exec.open) this.dirty.add(exec);
    if (exec.eventWaiters.size > 0) {
      const waiters = [...exec.eventWaiters];
      exec.eventWaiters.clear();
      this.afterCommit(() => waiters.forEach((w) => w()));
    }
    return ev;
  }

  /** Fix ids that point at events whose id was unknown when they were built (buffered results). */
  private linkReferences(exec: Execution, ev: IEvent, eventId: number): void {
    const act =
      ev.activityTaskCompletedEventAttributes ??
      ev.activityTaskFailedEventAttributes ??
      ev.activityTaskTimedOutEventAttributes ??
      ev.activityTaskCanceledEventAttributes;
    if (act && num(act.startedEventId) === -1) act.startedEventId = L(eventId - 1);
    const child =
      ev.childWorkflowExecutionCompletedEventAttributes ??
      ev.childWorkflowExecutionFailedEventAttributes ??
      ev.childWorkflowExecutionCanceledEventAttributes ??
      ev.childWorkflowExecutionTimedOutEventAttributes ??
      ev.childWorkflowExecutionTerminatedEventAttributes;
    if (child) child.startedEventId = L(exec.childStartedIds.get(num(child.initiatedEventId)) ?? 0);
  }

  /** Derive execution state from one event. Idempotent for the events that can be buffered. */
  applyEvent(exec: Execution, ev: IEvent): void {
    const id = num(ev.eventId);
    const at = tsMs(ev.eventTime);
    switch (ev.eventType) {
      case ET.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: {
        exec.started = ev.workflowExecutionStartedEventAttributes ?? {};
        exec.startMs = at;
        break;
      }
      case ET.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED: {
        const a = ev.workflowTaskScheduledEventAttributes;
        exec.wft = { scheduledEventId: id, attempt: a?.attempt ?? 1, scheduledMs: at, queries: [] };
        break;
      }
      case ET.EVENT_TYPE_WORKFLOW_TASK_STARTED: {
        if (exec.wft) {
          exec.wft.startedEventId = id;
          exec.wft.startedMs = at;
        }
        break;
      }
      case ET.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: {
        exec.lastCompletedStartedEventId = num(ev.workflowTaskCompletedEventAttributes?.startedEventId);
        exec.wft = undefined;
        exec.nextWftAttempt = 1;
        break;
      }
      case ET.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
      case ET.EVENT_TYPE_WORKFLOW_TASK_FAILED: {
        const cause = ev.workflowTaskFailedEventAttributes?.cause;
        const resets = cause === FailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND || cause === FailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND;
        exec.nextWftAttempt = resets ? 1 : (exec.wft?.attempt ?? 1) + 1;
        exec.wft = undefined;
        break;
      }
      case ET.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
        const a = ev.activityTaskScheduledEventAttributes ?? {};
        exec.activities.set(id, {
          scheduledEventId: id,
          attrs: a,
          scheduledMs: at,
          rt: { attempt: 1, attemptScheduledMs: at },
          cancelRequested: false,
          cancelRequestedEventId: 0,
          resolved: false,
          timers: [],
        });
        if (a.activityId) exec.activityIds.set(a.activityId, id);
        break;
      }
      case ET.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED: {
        const sid = num(ev.activityTaskCancelRequestedEventAttributes?.scheduledEventId);
        const a = exec.activities.get(sid);
        if (a) {
          a.cancelRequested = true;
          a.cancelRequestedEventId = id;
        }
        break;
      }
      case ET.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      case ET.EVENT_TYPE_ACTIVITY_TASK_FAILED:
      case ET.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
      case ET.EVENT_TYPE_ACTIVITY_TASK_CANCELED: {
        const attrs =
          ev.activityTaskCompletedEventAttributes ??
          ev.activityTaskFailedEventAttributes ??
          ev.activityTaskTimedOutEventAttributes ??
          ev.activityTaskCanceledEventAttributes;
        const sid = num(attrs?.scheduledEventId);
        const a = exec.activities.get(sid);
        if (a) {
          for (const t of a.timers) t.cancel();
          exec.activities.delete(sid);
          if (a.attrs.activityId) exec.activityIds.delete(a.attrs.activityId);
        }
        break;
      }
      case ET.EVENT_TYPE_TIMER_STARTED: {
        const a = ev.timerStartedEventAttributes;
        const timerId = a?.timerId ?? "";
        exec.timers.set(timerId, { timerId, startedEventId: id, fireAtMs: at + durMs(a?.startToFireTimeout), resolved: false });
        break;
      }
      case ET.EVENT_TYPE_TIMER_FIRED:
      case ET.EVENT_TYPE_TIMER_CANCELED: {
        const timerId = (ev.timerFiredEventAttributes ?? ev.timerCanceledEventAttributes)?.timerId ?? "";
        exec.timers.get(timerId)?.handle?.cancel();
        exec.timers.delete(timerId);
        break;
      }
      case ET.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED: {
        exec.children.set(id, { initiatedEventId: id, attrs: ev.startChildWorkflowExecutionInitiatedEventAttributes ?? {}, started: false });
        break;
      }
      case ET.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED: {
        const a = ev.childWorkflowExecutionStartedEventAttributes;
        const iid = num(a?.initiatedEventId);
        const c = exec.children.get(iid);
        if (c) {
          c.runId = a?.workflowExecution?.runId ?? undefined;
          c.started = true;
        }
        if (id > 0) exec.childStartedIds.set(iid, id);
        break;
      }
      case ET.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED:
      case ET.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
      case ET.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
      case ET.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED:
      case ET.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT:
      case ET.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED: {
        const a =
          ev.startChildWorkflowExecutionFailedEventAttributes ??
          ev.childWorkflowExecutionCompletedEventAttributes ??
          ev.childWorkflowExecutionFailedEventAttributes ??
          ev.childWorkflowExecutionCanceledEventAttributes ??
          ev.childWorkflowExecutionTimedOutEventAttributes ??
          ev.childWorkflowExecutionTerminatedEventAttributes;
        exec.children.delete(num(a?.initiatedEventId));
        break;
      }
      case ET.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
        exec.externals.set(id, { kind: "cancel" });
        break;
      case ET.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
        exec.externals.set(id, { kind: "signal" });
        break;
      case ET.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
      case ET.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED:
      case ET.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED:
      case ET.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED: {
        const a =
          ev.externalWorkflowExecutionCancelRequestedEventAttributes ??
          ev.requestCancelExternalWorkflowExecutionFailedEventAttributes ??
          ev.externalWorkflowExecutionSignaledEventAttributes ??
          ev.signalExternalWorkflowExecutionFailedEventAttributes;
        exec.externals.delete(num(a?.initiatedEventId));
        break;
      }
      case ET.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
        exec.cancelRequested = true;
        break;
      default:
        if (ev.eventType !== undefined && ev.eventType !== null && CLOSE_EVENT_TYPES.has(ev.eventType)) {
          exec.status = closeStatusOf(ev.eventType);
          exec.closeMs = at;
          exec.closeEvent = ev;
          exec.wft = undefined;
          exec.newRunId =
            ev.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ||
            ev.workflowExecutionFailedEventAttributes?.newExecutionRunId ||
            ev.workflowExecutionTimedOutEventAttributes?.newExecutionRunId ||
            ev.workflowExecutionCompletedEventAttributes?.newExecutionRunId ||
            "";
        }
    }
  }

  /**
   * Add events that do not come from the workflow's own commands (signals, results, timers, children).
   * While a workflow task runs they are buffered and appended after its completion (replay requires it).
   */
  private addExternal(exec: Execution, events: IEvent[], needsWft = true): boolean {
    if (!exec.open || !exec.events) return false;
    if (exec.wft?.startedEventId) {
      for (const ev of events) {
        if (!ev.eventTime) ev.eventTime = ts(Date.now());
        exec.buffered.push(ev);
        exec.bufferSeq++;
        this.store.bufferEvent(exec.runId, exec.bufferSeq, ev);
        this.applyEvent(exec, ev);
      }
      return true;
    }
    for (const ev of events) this.append(exec, ev);
    if (needsWft) this.scheduleWft(exec);
    return true;
  }

  /** Whether the result of the activity scheduled at `sid` waits in the buffer. */
  private bufferedActivityResult(exec: Execution, sid: number): boolean {
    return exec.buffered.some((ev) => {
      const attrs = ev.activityTaskCompletedEventAttributes ?? ev.activityTaskFailedEventAttributes ?? ev.activityTaskTimedOutEventAttributes ?? ev.activityTaskCanceledEventAttributes;
      return attrs !== undefined && attrs !== null && num(attrs.scheduledEventId) === sid;
    });
  }

  /** Removes the buffered TimerFired event of `timerId` (rewriting the stored buffer), and returns it. */
  private takeBufferedTimerFired(exec: Execution, timerId: string): IEvent | undefined {
    const i = exec.buffered.findIndex((ev) => ev.eventType === ET.EVENT_TYPE_TIMER_FIRED && ev.timerFiredEventAttributes?.timerId === timerId);
    if (i < 0) return undefined;
    const [fired] = exec.buffered.splice(i, 1);
    this.store.clearBuffered(exec.runId);
    for (const ev of exec.buffered) {
      exec.bufferSeq++;
      this.store.bufferEvent(exec.runId, exec.bufferSeq, ev);
    }
    return fired;
  }

  private flushBuffered(exec: Execution): boolean {
    if (exec.buffered.length === 0) return false;
    const list = exec.buffered;
    exec.buffered = [];
    for (const ev of list) this.append(exec, ev);
    this.store.clearBuffered(exec.runId);
    return true;
  }

  // ---------------------------------------------------------------- workflow tasks

  private scheduleWft(exec: Execution): void {
    if (!exec.open || exec.wft) return;
    const attempt = exec.nextWftAttempt;
    this.append(
      exec,
      this.makeEvent(ET.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, {
        workflowTaskScheduledEventAttributes: {
          taskQueue: { name: exec.taskQueue, kind: E.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          startToCloseTimeout: dur(exec.wftTimeoutMs),
          attempt,
        },
      }),
    );
    this.dispatchWft(exec);
  }

  private dispatchWft(exec: Execution): void {
    const wft = exec.wft;
    if (!wft) return;
    const ref: WorkflowTaskRef = { kind: "wft", runId: exec.runId, scheduledEventId: wft.scheduledEventId, attempt: wft.attempt };
    const key = this.queueKey(exec.namespace, exec.taskQueue);
    this.afterCommit(() => this.workflowTasks.add(key, ref));
  }

  private armWftTimeout(exec: Execution): void {
    const wft = exec.wft;
    if (!wft?.startedEventId) return;
    const { scheduledEventId, startedEventId } = wft;
    wft.timer?.cancel();
    wft.timer = this.setTimer((wft.startedMs ?? Date.now()) + exec.wftTimeoutMs, () => {
      if (!exec.open || exec.wft?.scheduledEventId !== scheduledEventId || exec.wft.startedEventId !== startedEventId) return;
      this.requeueQueries(exec);
      this.append(
        exec,
        this.makeEvent(ET.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, {
          workflowTaskTimedOutEventAttributes: {
            scheduledEventId: L(scheduledEventId),
            startedEventId: L(startedEventId),
            timeoutType: TT.TIMEOUT_TYPE_START_TO_CLOSE,
          },
        }),
      );
      this.flushBuffered(exec);
      this.scheduleWft(exec);
    });
  }

  /** A poller took `ref`: start the task, or return undefined when the reference is stale. */
  startWorkflowTask(ref: Extract<WorkflowTaskRef, { kind: "wft" }>, identity: string, requestId: string): Execution | undefined {
    const exec = this.runs.get(ref.runId);
    const wft = exec?.wft;
    if (!exec || !exec.open || !wft || wft.scheduledEventId !== ref.scheduledEventId || wft.startedEventId) return undefined;
    this.append(
      exec,
      this.makeEvent(ET.EVENT_TYPE_WORKFLOW_TASK_STARTED, {
        workflowTaskStartedEventAttributes: {
          scheduledEventId: L(wft.scheduledEventId),
          identity,
          requestId,
          historySizeBytes: L(0),
        },
      }),
    );
    wft.queries = exec.queuedQueries.splice(0);
    this.armWftTimeout(exec);
    return exec;
  }

  pollWorkflowTaskResponse(exec: Execution): pb.api.workflowservice.v1.IPollWorkflowTaskQueueResponse {
    const wft = exec.wft;
    if (!wft?.startedEventId || !exec.events) return {};
    const queries: Record<string, IWorkflowQuery> = {};
    for (const id of wft.queries) {
      const q = this.queries.get(id);
      if (q) queries[id] = q.query;
    }
    return {
      taskToken: encodeTaskToken({ k: "w", n: exec.namespace, r: exec.runId, s: wft.scheduledEventId, a: wft.attempt }),
      workflowExecution: exec.execution,
      workflowType: { name: exec.workflowType },
      previousStartedEventId: L(exec.lastCompletedStartedEventId),
      startedEventId: L(wft.startedEventId),
      attempt: wft.attempt,
      backlogCountHint: L(0),
      history: { events: exec.events.slice(0, wft.startedEventId) },
      workflowExecutionTaskQueue: { name: exec.taskQueue, kind: E.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      scheduledTime: ts(wft.scheduledMs),
      startedTime: ts(wft.startedMs ?? Date.now()),
      queries,
      messages: [],
    };
  }

  /** Legacy query task: the full history plus the query; the worker answers RespondQueryTaskCompleted. */
  async queryTaskResponse(ref: Extract<WorkflowTaskRef, { kind: "query" }>): Promise<pb.api.workflowservice.v1.IPollWorkflowTaskQueueResponse | undefined> {
    const q = this.queries.get(ref.queryId);
    if (!q) return undefined;
    const exec = this.runs.get(q.runId);
    if (!exec) return undefined;
    const events = await this.historyOf(exec);
    const last = exec.lastCompletedStartedEventId;
    return {
      taskToken: encodeTaskToken({ k: "q", n: exec.namespace, q: q.id }),
      workflowExecution: exec.execution,
      workflowType: { name: exec.workflowType },
      previousStartedEventId: L(last),
      startedEventId: L(last),
      attempt: 1,
      backlogCountHint: L(0),
      history: { events },
      query: q.query,
      workflowExecutionTaskQueue: { name: exec.taskQueue, kind: E.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      scheduledTime: ts(Date.now()),
      startedTime: ts(Date.now()),
      queries: {},
      messages: [],
    };
  }

  private wftFromToken(token: Uint8Array | null | undefined): { exec: Execution; wft: Wft } {
    const t = decodeTaskToken(token);
    if (t.k !== "w") throw invalidArgument("Task token is not a workflow task token.");
    const runId = tokenString(t, "r");
    const exec = this.runs.get(runId);
    const wft = exec?.wft;
    if (!exec || !exec.open || !wft || wft.scheduledEventId !== tokenNumber(t, "s") || wft.attempt !== tokenNumber(t, "a") || !wft.startedEventId)
      throw notFound("Workflow task not found.");
    return { exec, wft };
  }

  failWorkflowTask(req: pb.api.workflowservice.v1.IRespondWorkflowTaskFailedRequest): void {
    const { exec, wft } = this.wftFromToken(req.taskToken);
    this.failWft(exec, wft, req.cause ?? FailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED, req.failure ?? undefined, req.identity ?? "");
  }

  private failWft(exec: Execution, wft: Wft, cause: number, failure: IFailure | undefined, identity: string): void {
    wft.timer?.cancel();
    this.requeueQueries(exec);
    this.append(
      exec,
      this.makeEvent(ET.EVENT_TYPE_WORKFLOW_TASK_FAILED, {
        workflowTaskFailedEventAttributes: {
          scheduledEventId: L(wft.scheduledEventId),
          startedEventId: L(wft.startedEventId ?? 0),
          cause,
          failure: failure ?? null,
          identity,
        },
      }),
    );
    this.flushBuffered(exec);
    this.scheduleWft(exec);
  }

  private requeueQueries(exec: Execution): void {
    if (exec.wft && exec.wft.queries.length > 0) {
      exec.queuedQueries.unshift(...exec.wft.queries);
      exec.wft.queries = [];
    }
  }

  completeWorkflowTask(req: pb.api.workflowservice.v1.IRespondWorkflowTaskCompletedRequest): void {
    const { exec, wft } = this.wftFromToken(req.taskToken);
    const identity = req.identity ?? "";
    const commands = req.commands ?? [];
    const answered = new Set<string>();
    for (const [id, r] of Object.entries(req.queryResults ?? {})) {
      answered.add(id);
      this.answerQuery(id, r.resultType === E.QueryResultType.QUERY_RESULT_TYPE_ANSWERED ? { answer: r.answer ?? undefined } : { error: r.errorMessage || r.failure?.message || "query failed" });
    }
    exec.queuedQueries.unshift(...wft.queries.filter((q) => !answered.has(q)));
    wft.queries = [];

    const invalid = this.validateCommands(exec, commands);
    if (invalid) {
      this.failWft(exec, wft, invalid.cause, { message: invalid.message, source: "Server" }, identity);
      return;
    }
    const closes = commands.some((c) => isCloseCommand(c.commandType));
    if (closes && exec.buffered.length > 0) {
      // New events arrived while the workflow decided to close: it must see them first.
      this.failWft(exec, wft, FailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND, { message: "Workflow has unhandled events.", source: "Server" }, identity);
      return;
    }
    wft.timer?.cancel();
    const completed = this.append(
      exec,
      this.makeEvent(ET.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, {
        workflowTaskCompletedEventAttributes: {
          scheduledEventId: L(wft.scheduledEventId),
          startedEventId: L(wft.startedEventId ?? 0),
          identity,
          sdkMetadata: req.sdkMetadata ?? null,
          meteringMetadata: req.meteringMetadata ?? null,
        },
      }),
    );
    const completedId = num(completed.eventId);
    let needsWft = Boolean(req.forceCreateNewWorkflowTask);
    const followUps: (() => void)[] = [];
    for (const cmd of commands) {
      if (!exec.open) break;
      const r = this.applyCommand(exec, cmd, completedId, followUps);
      if (r === "needs-wft") needsWft = true;
    }
    if (exec.open) {
      if (this.flushBuffered(exec)) needsWft = true;
      for (const f of followUps) f();
      if (needsWft) this.scheduleWft(exec);
      if (!exec.wft) this.dispatchQueuedQueries(exec);
    } else {
      for (const f of followUps) f();
      this.dispatchQueuedQueries(exec);
    }
  }

  private validateCommands(exec: Execution, commands: ICommand[]): { cause: number; message: string } | undefined {
    const timerIds = new Set(exec.timers.keys());
    const activityIds = new Set(exec.activityIds.keys());
    for (const c of commands) {
      switch (c.commandType) {
        case CT.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK: {
          const a = c.scheduleActivityTaskCommandAttributes;
          const cause = FailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES;
          if (!a?.activityId) return { cause, message: "ActivityId is not set." };
          if (!a.activityType?.name) return { cause, message: "ActivityType is not set." };
          if (durMs(a.scheduleToCloseTimeout) <= 0 && durMs(a.startToCloseTimeout) <= 0)
            return { cause, message: "A valid StartToClose or ScheduleToCloseTimeout is not set on ScheduleActivityTaskCommand." };
          if (activityIds.has(a.activityId))
            return { cause: FailedCause.WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID, message: `Activity ID ${a.activityId} is already in use.` };
          activityIds.add(a.activityId);
          break;
        }
        case CT.COMMAND_TYPE_START_TIMER: {
          const a = c.startTimerCommandAttributes;
          if (!a?.timerId) return { cause: FailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES, message: "TimerId is not set." };
          if (timerIds.has(a.timerId)) return { cause: FailedCause.WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID, message: `Timer ID ${a.timerId} is already in use.` };
          timerIds.add(a.timerId);
          break;
        }
        case CT.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION: {
          const a = c.startChildWorkflowExecutionCommandAttributes;
          const cause = FailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES;
          if (!a?.workflowId) return { cause, message: "Required field WorkflowId is not set." };
          if (!a.workflowType?.name) return { cause, message: "Required field WorkflowType is not set." };
          if (a.namespace && !this.namespaces.has(a.namespace)) return { cause, message: `Namespace ${a.namespace} is not found.` };
          break;
        }
        case CT.COMMAND_TYPE_PROTOCOL_MESSAGE:
        case CT.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION:
        case CT.COMMAND_TYPE_REQUEST_CANCEL_NEXUS_OPERATION:
          return { cause: FailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND, message: `The Tandem dev service does not support command ${(CT[c.commandType ?? 0] as string | undefined) ?? String(c.commandType)}.` };
        default:
          break;
      }
    }
    return undefined;
  }

  /** Append the events of one command. Returns "needs-wft" when the workflow must be woken again. */
  private applyCommand(exec: Execution, cmd: ICommand, completedId: number, followUps: (() => void)[]): "needs-wft" | undefined {
    const wftId = L(completedId);
    switch (cmd.commandType) {
      case CT.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK: {
        const a = cmd.scheduleActivityTaskCommandAttributes ?? {};
        let s2c = durMs(a.scheduleToCloseTimeout);
        const runTimeout = durMs(exec.started.workflowRunTimeout);
        if (s2c <= 0 && runTimeout > 0) s2c = runTimeout;
        // Start-to-close and schedule-to-start never exceed schedule-to-close (as on the real server).
        const st2c = s2c > 0 ? Math.min(durMs(a.startToCloseTimeout) || s2c, s2c) : durMs(a.startToCloseTimeout);
        const s2s = s2c > 0 ? Math.min(durMs(a.scheduleToStartTimeout) || s2c, s2c) : durMs(a.scheduleToStartTimeout);
        const hb = Math.min(durMs(a.heartbeatTimeout), st2c);
        const ev = this.append(
          exec,
          this.makeEvent(ET.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, {
            activityTaskScheduledEventAttributes: {
              activityId: a.activityId ?? "",
              activityType: a.activityType ?? null,
              taskQueue: { name: a.taskQueue?.name || exec.taskQueue, kind: E.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
              header: a.header ?? null,
              input: a.input ?? null,
              scheduleToCloseTimeout: dur(s2c),
              scheduleToStartTimeout: dur(s2s),
              startToCloseTimeout: dur(st2c),
              heartbeatTimeout: dur(hb),
              workflowTaskCompletedEventId: wftId,
              retryPolicy: withRetryDefaults(a.retryPolicy),
              priority: a.priority ?? null,
            },
          }),
        );
        const act = exec.activities.get(num(ev.eventId));
        if (act) this.armActivity(exec, act);
        return undefined;
      }
      case CT.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK: {
        const sid = num(cmd.requestCancelActivityTaskCommandAttributes?.scheduledEventId);
        const act = exec.activities.get(sid);
        if (!act || act.resolved) {
          // Its result came while this task ran (buffered, so the workflow has not seen it): as on a real
          // server the request is still recorded, before the result; the SDK expects that event.
          if (this.bufferedActivityResult(exec, sid)) {
            this.append(exec, this.makeEvent(ET.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED, {
              activityTaskCancelRequestedEventAttributes: { scheduledEventId: L(sid), workflowTaskCompletedEventId: wftId },
            }));
          }
          return undefined;
        }
        const req = this.append(
          exec,
          this.makeEvent(ET.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED, {
            activityTaskCancelRequestedEventAttributes: { scheduledEventId: L(sid), workflowTaskCompletedEventId: wftId },
          }),
        );
        if (act.rt.startedMs === undefined) {
          // Not held by a worker: cancelled at once.
          act.resolved = true;
          this.append(
            exec,
            this.makeEvent(ET.EVENT_TYPE_ACTIVITY_TASK_CANCELED, {
              activityTaskCanceledEventAttributes: {
                latestCancelRequestedEventId: req.eventId ?? null,
                scheduledEventId: L(sid),
                startedEventId: L(0),
                identity: "",
              },
            }),
          );
          return "needs-wft";
        }
        return undefined;
      }
      case CT.COMMAND_TYPE_START_TIMER: {
        const a = cmd.startTimerCommandAttributes ?? {};
        const ev = this.append(
          exec,
          this.makeEvent(ET.EVENT_TYPE_TIMER_STARTED, {
            timerStartedEventAttributes: { timerId: a.timerId ?? "", startToFireTimeout: a.startToFireTimeout ?? dur(0), workflowTaskCompletedEventId: wftId },
          }),
        );
        const timer = exec.timers.get(a.timerId ?? "");
        if (timer && timer.startedEventId === num(ev.eventId)) this.armTimer(exec, timer);
        return undefined;
      }
      case CT.COMMAND_TYPE_CANCEL_TIMER: {
        const timerId = cmd.cancelTimerCommandAttributes?.timerId ?? "";
        const timer = exec.timers.get(timerId);
        if (!timer || timer.resolved) {
          // It fired while this task ran (buffered, unseen by the workflow): as on a real server the
          // cancel wins, the fired event is dropped and the timer recorded as cancelled.
          const fired = this.takeBufferedTimerFired(exec, timerId);
          if (fired) {
            this.append(exec, this.makeEvent(ET.EVENT_TYPE_TIMER_CANCELED, {
              timerCanceledEventAttributes: { timerId, startedEventId: fired.timerFiredEventAttributes?.startedEventId ?? null, workflowTaskCompletedEventId: wftId, identity: "" },
            }));
          }
          return undefined;
        }
        timer.handle?.cancel();
        this.append(
          exec,
          this.makeEvent(ET.EVENT_TYPE_TIMER_CANCELED, {
            timerCanceledEventAttributes: { timerId, startedEventId: L(timer.startedEventId), workflowTaskCompletedEventId: wftId, identity: "" },
          }),
        );
        return undefined;
      }
      case CT.COMMAND_TYPE_RECORD_MARKER: {
        const a = cmd.recordMarkerCommandAttributes ?? {};
        this.append(
          exec,
          this.makeEvent(ET.EVENT_TYPE_MARKER_RECORDED, {
            markerRecordedEventAttributes: { markerName: a.markerName ?? "", details: a.details ?? {}, workflowTaskCompletedEventId: wftId, header: a.header ?? null, failure: a.failure ?? null },
          }),
        );
        return undefined;
      }
      case CT.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        this.append(
          exec,
          this.makeEvent(ET.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, {
            upsertWorkflowSearchAttributesEventAttributes: { workflowTaskCompletedEventId: wftId, searchAttributes: cmd.upsertWorkflowSearchAttributesCommandAttributes?.searchAttributes ?? null },
          }),
        );
        return undefined;
      }
      case CT.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES: {
        this.append(
          exec,
          this.makeEvent(ET.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED, {
            workflowPropertiesModifiedEventAttributes: { workflowTaskCompletedEventId: wftId, upsertedMemo: cmd.modifyWorkflowPropertiesCommandAttributes?.upsertedMemo ?? null },
          }),
        );
        return undefined;
      }
      case CT.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION: {
        this.closeExecution(
          exec,
          this.makeEvent(ET.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, {
            workflowExecutionCompletedEventAttributes: { result: cmd.completeWorkflowExecutionCommandAttributes?.result ?? null, workflowTaskCompletedEventId: wftId },
          }),
        );
        return undefined;
      }
      case CT.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION: {
        const failure = cmd.failWorkflowExecutionCommandAttributes?.failure ?? { message: "workflow failed" };
        const retry = this.workflowRetry(exec, failure);
        const newRunId = "delayMs" in retry ? randomUUID() : "";
        this.closeExecution(
          exec,
          this.makeEvent(ET.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, {
            workflowExecutionFailedEventAttributes: {
              failure,
              retryState: "delayMs" in retry ? RS.RETRY_STATE_IN_PROGRESS : retry.state,
              workflowTaskCompletedEventId: wftId,
              newExecutionRunId: newRunId,
            },
          }),
        );
        if ("delayMs" in retry) {
          const s = exec.started;
          this.createRun(
            {
              namespace: exec.namespace,
              workflowId: exec.workflowId,
              workflowType: exec.workflowType,
              taskQueue: exec.taskQueue,
              input: s.input,
              workflowExecutionTimeout: s.workflowExecutionTimeout,
              workflowRunTimeout: s.workflowRunTimeout,
              workflowTaskTimeout: s.workflowTaskTimeout,
              retryPolicy: s.retryPolicy,
              memo: s.memo,
              searchAttributes: s.searchAttributes,
              header: s.header,
              identity: s.identity,
            },
            {
              runId: newRunId,
              previous: exec,
              initiator: E.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_RETRY,
              attempt: (s.attempt ?? 1) + 1,
              backoffMs: retry.delayMs,
              continuedFailure: failure,
            },
          );
        }
        return undefined;
      }
      case CT.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION: {
        this.closeExecution(
          exec,
          this.makeEvent(ET.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED, {
            workflowExecutionCanceledEventAttributes: { details: cmd.cancelWorkflowExecutionCommandAttributes?.details ?? null, workflowTaskCompletedEventId: wftId },
          }),
        );
        return undefined;
      }
      case CT.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION: {
        const a = cmd.continueAsNewWorkflowExecutionCommandAttributes ?? {};
        const s = exec.started;
        const newRunId = randomUUID();
        const taskQueue = a.taskQueue?.name || exec.taskQueue;
        const workflowType = a.workflowType?.name || exec.workflowType;
        const runTimeout = a.workflowRunTimeout && durMs(a.workflowRunTimeout) > 0 ? a.workflowRunTimeout : s.workflowRunTimeout;
        const wftTimeout = a.workflowTaskTimeout && durMs(a.workflowTaskTimeout) > 0 ? a.workflowTaskTimeout : s.workflowTaskTimeout;
        this.closeExecution(
          exec,
          this.makeEvent(ET.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW, {
            workflowExecutionContinuedAsNewEventAttributes: {
              newExecutionRunId: newRunId,
              workflowType: { name: workflowType },
              taskQueue: { name: taskQueue, kind: E.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
              input: a.input ?? null,
              workflowRunTimeout: runTimeout ?? null,
              workflowTaskTimeout: wftTimeout ?? null,
              workflowTaskCompletedEventId: wftId,
              backoffStartInterval: a.backoffStartInterval ?? null,
              initiator: a.initiator || E.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_WORKFLOW,
              lastCompletionResult: a.lastCompletionResult ?? null,
              header: a.header ?? null,
              memo: a.memo ?? null,
              searchAttributes: a.searchAttributes ?? null,
            },
          }),
        );
        this.createRun(
          {
            namespace: exec.namespace,
            workflowId: exec.workflowId,
            workflowType,
            taskQueue,
            input: a.input,
            workflowExecutionTimeout: s.workflowExecutionTimeout,
            workflowRunTimeout: runTimeout,
            workflowTaskTimeout: wftTimeout,
            retryPolicy: a.retryPolicy ?? s.retryPolicy,
            memo: a.memo ?? s.memo,
            searchAttributes: a.searchAttributes ?? s.searchAttributes,
            header: a.header,
            identity: s.identity,
          },
          {
            runId: newRunId,
            previous: exec,
            initiator: E.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_WORKFLOW,
            attempt: 1,
            backoffMs: durMs(a.backoffStartInterval),
            lastCompletionResult: a.lastCompletionResult ?? undefined,
          },
        );
        return undefined;
      }
      case CT.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION: {
        const a = cmd.startChildWorkflowExecutionCommandAttributes ?? {};
        const ev = this.append(
          exec,
          this.makeEvent(ET.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED, {
            startChildWorkflowExecutionInitiatedEventAttributes: {
              namespace: a.namespace || exec.namespace,
              workflowId: a.workflowId ?? "",
              workflowType: a.workflowType ?? null,
              taskQueue: { name: a.taskQueue?.name || exec.taskQueue, kind: E.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
              input: a.input ?? null,
              workflowExecutionTimeout: a.workflowExecutionTimeout ?? null,
              workflowRunTimeout: a.workflowRunTimeout ?? null,
              workflowTaskTimeout: a.workflowTaskTimeout ?? null,
              parentClosePolicy: a.parentClosePolicy ?? 0,
              workflowTaskCompletedEventId: wftId,
              workflowIdReusePolicy: a.workflowIdReusePolicy ?? 0,
              retryPolicy: a.retryPolicy ?? null,
              cronSchedule: a.cronSchedule ?? "",
              header: a.header ?? null,
              memo: a.memo ?? null,
              searchAttributes: a.searchAttributes ?? null,
            },
          }),
        );
        const initiatedId = num(ev.eventId);
        followUps.push(() => this.startChild(exec, initiatedId));
        return undefined;
      }
      case CT.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION: {
        const a = cmd.requestCancelExternalWorkflowExecutionCommandAttributes ?? {};
        const target = { workflowId: a.workflowId ?? "", runId: a.runId ?? "" };
        const ns = a.namespace || exec.namespace;
        const ev = this.append(
          exec,
          this.makeEvent(ET.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED, {
            requestCancelExternalWorkflowExecutionInitiatedEventAttributes: {
              workflowTaskCompletedEventId: wftId,
              namespace: ns,
              workflowExecution: target,
              childWorkflowOnly: a.childWorkflowOnly ?? false,
              reason: a.reason ?? "",
            },
          }),
        );
        const initiatedId = num(ev.eventId);
        followUps.push(() => {
          const t = this.findOpen(ns, target);
          if (t) this.requestCancel(t, { identity: "", external: { initiatedEventId: initiatedId, execution: exec.execution } });
          this.addExternal(exec, [
            t
              ? this.makeEvent(ET.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED, {
                  externalWorkflowExecutionCancelRequestedEventAttributes: { initiatedEventId: L(initiatedId), namespace: ns, workflowExecution: t.execution },
                })
              : this.makeEvent(ET.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED, {
                  requestCancelExternalWorkflowExecutionFailedEventAttributes: {
                    cause: E.CancelExternalWorkflowExecutionFailedCause.CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND,
                    workflowTaskCompletedEventId: wftId,
                    namespace: ns,
                    workflowExecution: target,
                    initiatedEventId: L(initiatedId),
                  },
                }),
          ]);
        });
        return undefined;
      }
      case CT.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION: {
        const a = cmd.signalExternalWorkflowExecutionCommandAttributes ?? {};
        const target = { workflowId: a.execution?.workflowId ?? "", runId: a.execution?.runId ?? "" };
        const ns = a.namespace || exec.namespace;
        const ev = this.append(
          exec,
          this.makeEvent(ET.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED, {
            signalExternalWorkflowExecutionInitiatedEventAttributes: {
              workflowTaskCompletedEventId: wftId,
              namespace: ns,
              workflowExecution: target,
              signalName: a.signalName ?? "",
              input: a.input ?? null,
              childWorkflowOnly: a.childWorkflowOnly ?? false,
              header: a.header ?? null,
            },
          }),
        );
        const initiatedId = num(ev.eventId);
        followUps.push(() => {
          const t = this.findOpen(ns, target);
          if (t) this.signal(t, { name: a.signalName ?? "", input: a.input, header: a.header, identity: "", external: exec.execution });
          this.addExternal(exec, [
            t
              ? this.makeEvent(ET.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED, {
                  externalWorkflowExecutionSignaledEventAttributes: { initiatedEventId: L(initiatedId), namespace: ns, workflowExecution: t.execution },
                })
              : this.makeEvent(ET.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED, {
                  signalExternalWorkflowExecutionFailedEventAttributes: {
                    cause: E.SignalExternalWorkflowExecutionFailedCause.SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND,
                    workflowTaskCompletedEventId: wftId,
                    namespace: ns,
                    workflowExecution: target,
                    initiatedEventId: L(initiatedId),
                  },
                }),
          ]);
        });
        return undefined;
      }
      default:
        this.log("warn", `ignored command ${cmd.commandType ?? "?"} of ${exec.workflowId}`);
        return undefined;
    }
  }

  private findOpen(namespace: string, target: { workflowId: string; runId: string }): Execution | undefined {
    const exec = target.runId ? this.runs.get(target.runId) : this.current.get(`${namespace}\u0000${target.workflowId}`);
    return exec && exec.open && exec.workflowId === target.workflowId ? exec : undefined;
  }

  private workflowRetry(exec: Execution, failure: IFailure): { delayMs: number } | { state: number } {
    const policy = exec.started.retryPolicy;
    if (!policy) return { state: RS.RETRY_STATE_RETRY_POLICY_NOT_SET };
    const expiration = tsMs(exec.started.workflowExecutionExpirationTime);
    return retryDecision(withRetryDefaults(policy), exec.started.attempt ?? 1, failure, expiration, Date.now());
  }

  // ---------------------------------------------------------------- timers

  private armTimer(exec: Execution, timer: PendingTimer): void {
    timer.handle?.cancel();
    timer.handle = this.setTimer(timer.fireAtMs, () => {
      const t = exec.timers.get(timer.timerId);
      if (!exec.open || t !== timer || timer.resolved) return;
      timer.resolved = true;
      this.addExternal(exec, [
        this.makeEvent(ET.EVENT_TYPE_TIMER_FIRED, { timerFiredEventAttributes: { timerId: timer.timerId, startedEventId: L(timer.startedEventId) } }),
      ]);
    });
  }

  // ---------------------------------------------------------------- activities

  private activityAttr(a: PendingActivity) {
    return {
      s2c: durMs(a.attrs.scheduleToCloseTimeout),
      s2s: durMs(a.attrs.scheduleToStartTimeout),
      st2c: durMs(a.attrs.startToCloseTimeout),
      hb: durMs(a.attrs.heartbeatTimeout),
    };
  }

  /** (Re)arm an activity's timers from its runtime state and dispatch it when it waits for a worker. */
  private armActivity(exec: Execution, a: PendingActivity): void {
    for (const t of a.timers) t.cancel();
    a.timers = [];
    if (a.resolved) return;
    const { s2c, s2s, st2c, hb } = this.activityAttr(a);
    if (s2c > 0) a.timers.push(this.setTimer(a.scheduledMs + s2c, () => this.activityTimedOut(exec, a, TT.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE)));
    if (a.rt.retryAtMs !== undefined) {
      a.timers.push(
        this.setTimer(a.rt.retryAtMs, () => {
          if (a.resolved || !exec.open) return;
          a.rt.retryAtMs = undefined;
          a.rt.attemptScheduledMs = Date.now();
          this.dirty.add(exec);
          this.armActivity(exec, a);
        }),
      );
      return;
    }
    if (a.rt.startedMs !== undefined) {
      if (st2c > 0) a.timers.push(this.setTimer(a.rt.startedMs + st2c, () => this.activityAttemptFailed(exec, a, undefined, TT.TIMEOUT_TYPE_START_TO_CLOSE)));
      if (hb > 0) a.timers.push(this.setTimer((a.rt.lastHeartbeatMs ?? a.rt.startedMs) + hb, () => this.activityAttemptFailed(exec, a, undefined, TT.TIMEOUT_TYPE_HEARTBEAT)));
      return;
    }
    if (s2s > 0 && (s2c === 0 || s2s < s2c)) a.timers.push(this.setTimer(a.rt.attemptScheduledMs + s2s, () => this.activityTimedOut(exec, a, TT.TIMEOUT_TYPE_SCHEDULE_TO_START)));
    const ref: ActivityTaskRef = { runId: exec.runId, scheduledEventId: a.scheduledEventId, attempt: a.rt.attempt };
    const key = this.queueKey(exec.namespace, a.attrs.taskQueue?.name || exec.taskQueue);
    this.afterCommit(() => this.activityTasks.add(key, ref));
  }

  startActivityTask(ref: ActivityTaskRef, identity: string): { exec: Execution; act: PendingActivity } | undefined {
    const exec = this.runs.get(ref.runId);
    const a = exec?.activities.get(ref.scheduledEventId);
    if (!exec || !exec.open || !a || a.resolved || a.rt.attempt !== ref.attempt || a.rt.startedMs !== undefined || a.rt.retryAtMs !== undefined) return undefined;
    const now = Date.now();
    a.rt.startedMs = now;
    a.rt.lastHeartbeatMs = now;
    a.rt.startedIdentity = identity;
    this.dirty.add(exec);
    this.armActivity(exec, a);
    return { exec, act: a };
  }

  activityTaskResponse(exec: Execution, a: PendingActivity): pb.api.workflowservice.v1.IPollActivityTaskQueueResponse {
    const at = a.attrs;
    return {
      taskToken: encodeTaskToken({ k: "a", n: exec.namespace, r: exec.runId, s: a.scheduledEventId, a: a.rt.attempt }),
      workflowNamespace: exec.namespace,
      workflowType: { name: exec.workflowType },
      workflowExecution: exec.execution,
      activityType: at.activityType ?? null,
      activityId: at.activityId ?? "",
      header: at.header ?? null,
      input: at.input ?? null,
      heartbeatDetails: decodePayloads(a.rt.heartbeatDetails) ?? null,
      scheduledTime: ts(a.scheduledMs),
      currentAttemptScheduledTime: ts(a.rt.attemptScheduledMs),
      startedTime: ts(a.rt.startedMs ?? Date.now()),
      attempt: a.rt.attempt,
      scheduleToCloseTimeout: at.scheduleToCloseTimeout ?? dur(0),
      startToCloseTimeout: at.startToCloseTimeout ?? dur(0),
      heartbeatTimeout: at.heartbeatTimeout ?? dur(0),
      retryPolicy: at.retryPolicy ?? null,
      priority: at.priority ?? null,
    };
  }

  private activityFromToken(token: Uint8Array | null | undefined): { exec: Execution; act: PendingActivity } {
    const t = decodeTaskToken(token);
    if (t.k !== "a") throw invalidArgument("Task token is not an activity task token.");
    const exec = this.runs.get(tokenString(t, "r"));
    const act = exec?.activities.get(tokenNumber(t, "s"));
    if (!exec || !exec.open || !act || act.resolved || act.rt.attempt !== tokenNumber(t, "a") || act.rt.startedMs === undefined)
      throw notFound("invalid activityID or activity already timed out or invoking workflow is completed");
    return { exec, act };
  }

  activityById(namespace: string, workflowId: string, runId: string, activityId: string): { exec: Execution; act: PendingActivity } {
    const exec = this.getExecution(namespace, { workflowId, runId });
    const sid = exec.activityIds.get(activityId);
    const act = sid === undefined ? undefined : exec.activities.get(sid);
    if (!exec.open || !act || act.resolved) throw notFound("invalid activityID or activity already timed out or invoking workflow is completed");
    if (act.rt.startedMs === undefined) {
      act.rt.startedMs = Date.now();
      act.rt.lastHeartbeatMs = act.rt.startedMs;
    }
    return { exec, act };
  }

  tokenFor(exec: Execution, act: PendingActivity): Buffer {
    return encodeTaskToken({ k: "a", n: exec.namespace, r: exec.runId, s: act.scheduledEventId, a: act.rt.attempt });
  }

  heartbeat(token: Uint8Array | null | undefined, details: IPayloads | null | undefined): { cancelRequested: boolean } {
    const { exec, act } = this.activityFromToken(token);
    act.rt.lastHeartbeatMs = Date.now();
    if (!isEmptyPayloads(details)) act.rt.heartbeatDetails = encodePayloads(details);
    this.dirty.add(exec);
    this.armActivity(exec, act);
    return { cancelRequested: act.cancelRequested };
  }

  private startedEventFor(a: PendingActivity): IEvent {
    return this.makeEvent(ET.EVENT_TYPE_ACTIVITY_TASK_STARTED, {
      activityTaskStartedEventAttributes: {
        scheduledEventId: L(a.scheduledEventId),
        identity: a.rt.startedIdentity ?? "",
        requestId: randomUUID(),
        attempt: a.rt.attempt,
        lastFailure: decodeFailure(a.rt.lastFailure) ?? null,
      },
    });
  }

  completeActivity(token: Uint8Array | null | undefined, result: IPayloads | null | undefined, identity: string): void {
    const { exec, act } = this.activityFromToken(token);
    this.resolveActivity(exec, act, [
      this.startedEventFor(act),
      this.makeEvent(ET.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, {
        activityTaskCompletedEventAttributes: { result: result ?? null, scheduledEventId: L(act.scheduledEventId), startedEventId: L(-1), identity },
      }),
    ]);
  }

  failActivity(token: Uint8Array | null | undefined, failure: IFailure | null | undefined, identity: string, details?: IPayloads | null): void {
    const { exec, act } = this.activityFromToken(token);
    if (!isEmptyPayloads(details)) act.rt.heartbeatDetails = encodePayloads(details);
    this.activityAttemptFailed(exec, act, failure ?? { message: "activity failed" }, undefined, identity);
  }

  cancelActivity(token: Uint8Array | null | undefined, details: IPayloads | null | undefined, identity: string): void {
    const { exec, act } = this.activityFromToken(token);
    this.resolveActivity(exec, act, [
      this.startedEventFor(act),
      this.makeEvent(ET.EVENT_TYPE_ACTIVITY_TASK_CANCELED, {
        activityTaskCanceledEventAttributes: {
          details: details ?? null,
          latestCancelRequestedEventId: L(act.cancelRequestedEventId),
          scheduledEventId: L(act.scheduledEventId),
          startedEventId: L(-1),
          identity,
        },
      }),
    ]);
  }

  private resolveActivity(exec: Execution, act: PendingActivity, events: IEvent[]): void {
    act.resolved = true;
    for (const t of act.timers) t.cancel();
    act.timers = [];
    this.dirty.add(exec);
    this.addExternal(exec, events);
  }

  /** One attempt failed (error or start-to-close/heartbeat timeout): retry, or record the final result. */
  private activityAttemptFailed(exec: Execution, act: PendingActivity, failure: IFailure | undefined, timeoutType?: number, identity = ""): void {
    if (!exec.open || act.resolved || exec.activities.get(act.scheduledEventId) !== act) return;
    const now = Date.now();
    const details = decodePayloads(act.rt.heartbeatDetails);
    const kind = timeoutType === TT.TIMEOUT_TYPE_HEARTBEAT ? "Heartbeat" : "StartToClose";
    const attemptFailure = failure ?? timeoutFailure(kind, timeoutType ?? TT.TIMEOUT_TYPE_START_TO_CLOSE, details);
    const { s2c } = this.activityAttr(act);
    const decision = act.cancelRequested ? { state: RS.RETRY_STATE_CANCEL_REQUESTED } : retryDecision(act.attrs.retryPolicy, act.rt.attempt, failure, s2c > 0 ? act.scheduledMs + s2c : 0, now);
    if ("delayMs" in decision) {
      act.rt.lastFailure = encodeFailure(attemptFailure);
      act.rt.attempt += 1;
      act.rt.startedMs = undefined;
      act.rt.startedIdentity = undefined;
      act.rt.retryAtMs = now + decision.delayMs;
      this.dirty.add(exec);
      this.armActivity(exec, act);
      return;
    }
    const started = this.startedEventFor(act);
    if (timeoutType !== undefined) {
      this.resolveActivity(exec, act, [
        started,
        this.makeEvent(ET.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT, {
          activityTaskTimedOutEventAttributes: { failure: attemptFailure, scheduledEventId: L(act.scheduledEventId), startedEventId: L(-1), retryState: decision.state },
        }),
      ]);
    } else {
      this.resolveActivity(exec, act, [
        started,
        this.makeEvent(ET.EVENT_TYPE_ACTIVITY_TASK_FAILED, {
          activityTaskFailedEventAttributes: { failure: attemptFailure, scheduledEventId: L(act.scheduledEventId), startedEventId: L(-1), identity, retryState: decision.state },
        }),
      ]);
    }
  }

  /** Schedule-to-start and schedule-to-close: final, never retried. */
  private activityTimedOut(exec: Execution, act: PendingActivity, timeoutType: number): void {
    if (!exec.open || act.resolved || exec.activities.get(act.scheduledEventId) !== act) return;
    const kind = timeoutType === TT.TIMEOUT_TYPE_SCHEDULE_TO_START ? "ScheduleToStart" : "ScheduleToClose";
    const wasStarted = act.rt.startedMs !== undefined || act.rt.attempt > 1;
    const events: IEvent[] = [];
    if (wasStarted) events.push(this.startedEventFor(act));
    events.push(
      this.makeEvent(ET.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT, {
        activityTaskTimedOutEventAttributes: {
          failure: timeoutFailure(kind, timeoutType, decodePayloads(act.rt.heartbeatDetails), decodeFailure(act.rt.lastFailure)),
          scheduledEventId: L(act.scheduledEventId),
          startedEventId: L(wasStarted ? -1 : 0),
          retryState: RS.RETRY_STATE_TIMEOUT,
        },
      }),
    );
    this.resolveActivity(exec, act, events);
  }

  // ---------------------------------------------------------------- starting runs

  private validateStart(req: StartRequest): void {
    this.requireNamespace(req.namespace);
    if (!req.workflowId) throw invalidArgument("WorkflowId is not set on request.");
    if (req.workflowId.length > 1000) throw invalidArgument("WorkflowId length exceeds limit.");
    if (!req.workflowType) throw invalidArgument("WorkflowType is not set on request.");
    if (!req.taskQueue) throw invalidArgument("TaskQueue is not set on request.");
    for (const [name, d] of [
      ["WorkflowExecutionTimeout", req.workflowExecutionTimeout],
      ["WorkflowRunTimeout", req.workflowRunTimeout],
      ["WorkflowTaskTimeout", req.workflowTaskTimeout],
      ["WorkflowStartDelay", req.workflowStartDelay],
    ] as const) {
      if (d && durMs(d) < 0) throw invalidArgument(`Invalid ${name}.`);
    }
    const rp = req.retryPolicy;
    if (rp) {
      if ((rp.maximumAttempts ?? 0) < 0) throw invalidArgument("MaximumAttempts cannot be negative on retry policy.");
      if (rp.backoffCoefficient !== undefined && rp.backoffCoefficient !== null && rp.backoffCoefficient !== 0 && rp.backoffCoefficient < 1)
        throw invalidArgument("BackoffCoefficient cannot be less than 1 on retry policy.");
    }
    if (req.cronSchedule) throw invalidArgument("CronSchedule on workflows is not supported by the Tandem dev service; use a Schedule.");
  }

  /**
   * Start (or, per the id policies, reuse) a run. Returns the run and whether it was created.
   */
  startWorkflow(req: StartRequest): { exec: Execution; started: boolean } {
    this.validateStart(req);
    const existing = this.current.get(`${req.namespace}\u0000${req.workflowId}`);
    if (existing?.open) {
      if (req.requestId && existing.requestId === req.requestId) return { exec: existing, started: false };
      const conflict = req.workflowIdConflictPolicy ?? 0;
      const reuse = req.workflowIdReusePolicy ?? 0;
      if (conflict === E.WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING) {
        if (req.signal) this.signal(existing, { name: req.signal.name, input: req.signal.input, header: req.signal.header, identity: req.identity ?? "" });
        return { exec: existing, started: false };
      }
      if (req.signal && conflict !== E.WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING && conflict !== E.WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL) {
        // Signal-with-start on a running workflow only signals it.
        this.signal(existing, { name: req.signal.name, input: req.signal.input, header: req.signal.header, identity: req.identity ?? "" });
        return { exec: existing, started: false };
      }
      if (
        conflict === E.WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING ||
        reuse === E.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING
      ) {
        this.terminate(existing, { reason: "terminated by a new start (id conflict policy)", identity: req.identity ?? "" });
      } else {
        throw alreadyExists(`Workflow execution is already running. WorkflowId: ${req.workflowId}, RunId: ${existing.runId}.`);
      }
    } else if (existing) {
      const reuse = req.workflowIdReusePolicy ?? 0;
      if (reuse === E.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        throw alreadyExists(`Workflow execution already finished and WorkflowIdReusePolicy is REJECT_DUPLICATE. WorkflowId: ${req.workflowId}, RunId: ${existing.runId}.`);
      if (
        reuse === E.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY &&
        existing.status === WS.WORKFLOW_EXECUTION_STATUS_COMPLETED
      )
        throw alreadyExists(`Workflow execution already finished successfully and WorkflowIdReusePolicy is ALLOW_DUPLICATE_FAILED_ONLY. WorkflowId: ${req.workflowId}.`);
    }
    const exec = this.createRun(req, { runId: randomUUID(), attempt: 1, backoffMs: durMs(req.workflowStartDelay) });
    return { exec, started: true };
  }

  /** Create a run: started event (plus signal), first workflow task (or its backoff), run timeout. */
  createRun(
    req: StartRequest,
    opts: {
      runId: string;
      attempt: number;
      backoffMs: number;
      previous?: Execution;
      initiator?: number;
      continuedFailure?: IFailure;
      lastCompletionResult?: IPayloads;
      parent?: { exec: Execution; initiatedEventId: number };
    },
  ): Execution {
    const exec = new Execution(req.namespace, req.workflowId, opts.runId);
    exec.requestId = req.requestId ?? "";
    const prev = opts.previous?.started;
    const now = Date.now();
    const execTimeout = durMs(req.workflowExecutionTimeout);
    const runTimeout = durMs(req.workflowRunTimeout) || execTimeout;
    const parentStarted = opts.parent?.exec.started;
    const parentExec = opts.parent?.exec;
    const firstRunId = prev?.firstExecutionRunId || opts.runId;
    const expiration = prev ? tsMs(prev.workflowExecutionExpirationTime) : execTimeout > 0 ? now + execTimeout : 0;
    const started: IStartedAttrs = {
      workflowType: { name: req.workflowType },
      taskQueue: { name: req.taskQueue, kind: E.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      input: req.input ?? null,
      workflowExecutionTimeout: dur(execTimeout),
      workflowRunTimeout: dur(runTimeout),
      workflowTaskTimeout: dur(durMs(req.workflowTaskTimeout) || DEFAULT_WFT_TIMEOUT_MS),
      continuedExecutionRunId: opts.previous?.runId ?? "",
      initiator: opts.initiator ?? 0,
      continuedFailure: opts.continuedFailure ?? null,
      lastCompletionResult: opts.lastCompletionResult ?? null,
      originalExecutionRunId: opts.runId,
      identity: req.identity ?? "",
      firstExecutionRunId: firstRunId,
      retryPolicy: req.retryPolicy ? withRetryDefaults(req.retryPolicy) : null,
      attempt: opts.attempt,
      workflowExecutionExpirationTime: expiration > 0 ? ts(expiration) : null,
      firstWorkflowTaskBackoff: opts.backoffMs > 0 ? dur(opts.backoffMs) : null,
      memo: req.memo ?? null,
      searchAttributes: req.searchAttributes ?? null,
      header: req.header ?? null,
      workflowId: req.workflowId,
      parentWorkflowNamespace: parentExec?.namespace ?? prev?.parentWorkflowNamespace ?? "",
      parentWorkflowExecution: parentExec?.execution ?? prev?.parentWorkflowExecution ?? null,
      parentInitiatedEventId: opts.parent ? L(opts.parent.initiatedEventId) : (prev?.parentInitiatedEventId ?? L(0)),
      rootWorkflowExecution: parentExec ? (parentStarted?.rootWorkflowExecution ?? parentExec.execution) : (prev?.rootWorkflowExecution ?? { workflowId: req.workflowId, runId: firstRunId }),
    };
    this.runs.set(exec.runId, exec);
    this.current.set(`${exec.namespace}\u0000${exec.workflowId}`, exec);
    this.append(exec, this.makeEvent(ET.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, { workflowExecutionStartedEventAttributes: started }));
    if (req.signal) {
      this.append(
        exec,
        this.makeEvent(ET.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, {
          workflowExecutionSignaledEventAttributes: { signalName: req.signal.name, input: req.signal.input ?? null, identity: req.identity ?? "", header: req.signal.header ?? null },
        }),
      );
    }
    this.armWorkflow(exec);
    return exec;
  }

  /** Timers of the run itself: first-task backoff and run/execution timeout. */
  private armWorkflow(exec: Execution): void {
    for (const t of exec.workflowTimers) t.cancel();
    exec.workflowTimers = [];
    if (!exec.open) return;
    const backoff = durMs(exec.started.firstWorkflowTaskBackoff);
    const neverScheduled = exec.lastCompletedStartedEventId === 0 && !exec.wft && !exec.events?.some((e) => e.eventType === ET.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
    if (neverScheduled) {
      if (backoff > 0) exec.workflowTimers.push(this.setTimer(exec.startMs + backoff, () => this.scheduleWft(exec)));
      else this.scheduleWft(exec);
    }
    const runTimeout = durMs(exec.started.workflowRunTimeout);
    const expiration = tsMs(exec.started.workflowExecutionExpirationTime);
    let deadline = runTimeout > 0 ? exec.startMs + backoff + runTimeout : 0;
    if (expiration > 0 && (deadline === 0 || expiration < deadline)) deadline = expiration;
    if (deadline > 0) {
      exec.workflowTimers.push(
        this.setTimer(deadline, () => {
          if (!exec.open) return;
          this.closeExecution(
            exec,
            this.makeEvent(ET.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT, { workflowExecutionTimedOutEventAttributes: { retryState: RS.RETRY_STATE_TIMEOUT, newExecutionRunId: "" } }),
          );
        }),
      );
    }
  }

  // ---------------------------------------------------------------- children

  private startChild(parent: Execution, initiatedEventId: number, recovering = false): void {
    const child = parent.children.get(initiatedEventId);
    if (!child || child.started || !parent.open) return;
    const a = child.attrs;
    const ns = a.namespace || parent.namespace;
    const workflowId = a.workflowId ?? "";
    // Idempotent on recovery: a run already started for this initiated event is reused.
    const candidate = recovering ? this.current.get(`${ns}\u0000${workflowId}`) : undefined;
    let exec =
      candidate && candidate.parentRunId === parent.runId && num(candidate.started.parentInitiatedEventId) === initiatedEventId ? candidate : undefined;
    if (!exec) {
      const existing = this.current.get(`${ns}\u0000${workflowId}`);
      if (existing?.open || (existing && a.workflowIdReusePolicy === E.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)) {
        this.addExternal(parent, [
          this.makeEvent(ET.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED, {
            startChildWorkflowExecutionFailedEventAttributes: {
              namespace: ns,
              workflowId,
              workflowType: a.workflowType ?? null,
              cause: E.StartChildWorkflowExecutionFailedCause.START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS,
              initiatedEventId: L(initiatedEventId),
              workflowTaskCompletedEventId: a.workflowTaskCompletedEventId ?? L(0),
            },
          }),
        ]);
        return;
      }
      exec = this.createRun(
        {
          namespace: ns,
          workflowId,
          workflowType: a.workflowType?.name ?? "",
          taskQueue: a.taskQueue?.name || parent.taskQueue,
          input: a.input,
          workflowExecutionTimeout: a.workflowExecutionTimeout,
          workflowRunTimeout: a.workflowRunTimeout,
          workflowTaskTimeout: a.workflowTaskTimeout,
          retryPolicy: a.retryPolicy,
          memo: a.memo,
          searchAttributes: a.searchAttributes,
          header: a.header,
        },
        { runId: randomUUID(), attempt: 1, backoffMs: 0, parent: { exec: parent, initiatedEventId } },
      );
    }
    this.addExternal(parent, [
      this.makeEvent(ET.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED, {
        childWorkflowExecutionStartedEventAttributes: {
          namespace: ns,
          initiatedEventId: L(initiatedEventId),
          workflowExecution: exec.execution,
          workflowType: a.workflowType ?? null,
          header: a.header ?? null,
        },
      }),
    ]);
  }

  /** A child (final run of its chain) closed: tell the parent. */
  private notifyParent(exec: Execution, close: IEvent): void {
    const parentRunId = exec.parentRunId;
    if (!parentRunId) return;
    const parent = this.runs.get(parentRunId);
    if (!parent || !parent.open) return;
    const initiatedEventId = exec.started.parentInitiatedEventId ?? L(0);
    const base = {
      namespace: exec.namespace,
      workflowExecution: exec.execution,
      workflowType: exec.started.workflowType ?? null,
      initiatedEventId,
      startedEventId: L(0),
    };
    let ev: IEvent;
    switch (close.eventType) {
      case ET.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
        ev = this.makeEvent(ET.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED, {
          childWorkflowExecutionCompletedEventAttributes: { ...base, result: close.workflowExecutionCompletedEventAttributes?.result ?? null },
        });
        break;
      case ET.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
        ev = this.makeEvent(ET.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED, {
          childWorkflowExecutionFailedEventAttributes: {
            ...base,
            failure: close.workflowExecutionFailedEventAttributes?.failure ?? null,
            retryState: close.workflowExecutionFailedEventAttributes?.retryState ?? 0,
          },
        });
        break;
      case ET.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
        ev = this.makeEvent(ET.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED, {
          childWorkflowExecutionCanceledEventAttributes: { ...base, details: close.workflowExecutionCanceledEventAttributes?.details ?? null },
        });
        break;
      case ET.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
        ev = this.makeEvent(ET.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT, {
          childWorkflowExecutionTimedOutEventAttributes: { ...base, retryState: close.workflowExecutionTimedOutEventAttributes?.retryState ?? 0 },
        });
        break;
      case ET.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
        ev = this.makeEvent(ET.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED, { childWorkflowExecutionTerminatedEventAttributes: base });
        break;
      default:
        return;
    }
    this.addExternal(parent, [ev]);
  }

  // ---------------------------------------------------------------- closing

  /**
   * Close a run with `close`. A workflow task in flight (terminate, timeout) is failed first, as the real
   * server does, so the history stays replayable.
   */
  private closeExecution(exec: Execution, close: IEvent): void {
    if (!exec.open) return;
    const wft = exec.wft;
    if (wft?.startedEventId) {
      wft.timer?.cancel();
      this.requeueQueries(exec);
      this.append(
        exec,
        this.makeEvent(ET.EVENT_TYPE_WORKFLOW_TASK_FAILED, {
          workflowTaskFailedEventAttributes: {
            scheduledEventId: L(wft.scheduledEventId),
            startedEventId: L(wft.startedEventId),
            cause: FailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND,
            identity: "",
          },
        }),
      );
    }
    this.flushBuffered(exec);
    this.append(exec, close);
    this.cancelAllTimers(exec);
    const waiters = [...exec.closeWaiters];
    exec.closeWaiters.clear();
    this.afterCommit(() => waiters.forEach((w) => w()));
    const continuing = Boolean(exec.newRunId);
    if (!continuing) this.notifyParent(exec, close);
    // Parent-close policy of the children still running.
    for (const child of exec.children.values()) {
      if (!child.runId) continue;
      const c = this.runs.get(child.runId);
      const target = c ? this.currentRun(c.namespace, c.workflowId) : undefined;
      if (!target?.open) continue;
      const policy = child.attrs.parentClosePolicy ?? 0;
      if (policy === E.ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON) continue;
      if (policy === E.ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL) this.requestCancel(target, { identity: "parent-close-policy", reason: "by parent close policy" });
      else this.terminate(target, { reason: "by parent close policy", identity: "parent-close-policy" });
    }
    this.closedWithHistory.push(exec);
    if (this.closedWithHistory.length > CLOSED_HISTORY_CACHE) {
      const old = this.closedWithHistory.shift();
      if (old && !old.open) this.afterCommit(() => (old.events = undefined));
    }
    for (const l of this.closeListeners) l(exec);
  }

  private cancelAllTimers(exec: Execution): void {
    exec.wft?.timer?.cancel();
    for (const a of exec.activities.values()) for (const t of a.timers) t.cancel();
    for (const t of exec.timers.values()) t.handle?.cancel();
    for (const t of exec.workflowTimers) t.cancel();
  }

  // ---------------------------------------------------------------- client operations

  signal(
    exec: Execution,
    s: { name: string; input?: IPayloads | null; header?: pb.api.common.v1.IHeader | null; identity: string; requestId?: string; external?: { workflowId: string; runId: string } },
  ): void {
    if (!exec.open) throw notFound("workflow execution already completed");
    this.addExternal(exec, [
      this.makeEvent(ET.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, {
        workflowExecutionSignaledEventAttributes: {
          signalName: s.name,
          input: s.input ?? null,
          identity: s.identity,
          header: s.header ?? null,
          externalWorkflowExecution: s.external ?? null,
          requestId: s.requestId ?? "",
        },
      }),
    ]);
  }

  requestCancel(exec: Execution, r: { identity: string; reason?: string; external?: { initiatedEventId: number; execution: { workflowId: string; runId: string } } }): void {
    if (!exec.open) throw notFound("workflow execution already completed");
    if (exec.cancelRequested) return;
    this.addExternal(exec, [
      this.makeEvent(ET.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED, {
        workflowExecutionCancelRequestedEventAttributes: {
          cause: r.reason ?? "",
          identity: r.identity,
          externalInitiatedEventId: L(r.external?.initiatedEventId ?? 0),
          externalWorkflowExecution: r.external?.execution ?? null,
        },
      }),
    ]);
  }

  terminate(exec: Execution, r: { reason: string; identity: string; details?: IPayloads | null }): void {
    if (!exec.open) throw notFound("workflow execution already completed");
    this.closeExecution(
      exec,
      this.makeEvent(ET.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED, {
        workflowExecutionTerminatedEventAttributes: { reason: r.reason, details: r.details ?? null, identity: r.identity },
      }),
    );
  }

  /** Wait until the run closes or `deadlineMs` passes. */
  waitClose(exec: Execution, deadlineMs: number): Promise<void> {
    if (!exec.open) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        exec.closeWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, deadlineMs - Date.now()));
      exec.closeWaiters.add(done);
    });
  }

  /** Wait until the history grows past `length`, the run closes, or `deadlineMs` passes. */
  waitEvents(exec: Execution, length: number, deadlineMs: number): Promise<void> {
    if (!exec.open || exec.historyLength > length) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        exec.eventWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, deadlineMs - Date.now()));
      exec.eventWaiters.add(done);
    });
  }

  // ---------------------------------------------------------------- queries

  query(exec: Execution, query: IWorkflowQuery, deadlineMs: number): Promise<pb.api.workflowservice.v1.IQueryWorkflowResponse> {
    if (!query.queryType) throw invalidArgument("QueryType is not set on request.");
    return new Promise((resolve, reject) => {
      const id = randomUUID();
      const timer = setTimeout(
        () => {
          this.queries.delete(id);
          exec.queuedQueries = exec.queuedQueries.filter((q) => q !== id);
          reject(deadlineExceeded("query timed out: no worker answered it before the deadline (is a worker polling the task queue?)"));
        },
        Math.max(0, deadlineMs - Date.now() - 200),
      );
      this.queries.set(id, { id, runId: exec.runId, query, resolve, reject, timer });
      if (exec.open && exec.wft) exec.queuedQueries.push(id);
      else this.workflowTasks.add(this.queueKey(exec.namespace, exec.taskQueue), { kind: "query", queryId: id });
    });
  }

  private dispatchQueuedQueries(exec: Execution): void {
    const ids = exec.queuedQueries.splice(0);
    const key = this.queueKey(exec.namespace, exec.taskQueue);
    for (const id of ids) this.afterCommit(() => this.workflowTasks.add(key, { kind: "query", queryId: id }));
  }

  answerQuery(id: string, r: { answer?: IPayloads } | { error: string }): void {
    const q = this.queries.get(id);
    if (!q) return;
    this.queries.delete(id);
    clearTimeout(q.timer);
    if ("error" in r) q.reject(invalidArgument(r.error));
    else q.resolve({ queryResult: r.answer ?? null });
  }

  respondQueryTask(req: pb.api.workflowservice.v1.IRespondQueryTaskCompletedRequest): void {
    const t = decodeTaskToken(req.taskToken);
    if (t.k !== "q") throw invalidArgument("Task token is not a query task token.");
    const id = tokenString(t, "q");
    if (!this.queries.has(id)) throw notFound("query not found: it may have timed out");
    if (req.completedType === E.QueryResultType.QUERY_RESULT_TYPE_ANSWERED) this.answerQuery(id, { answer: req.queryResult ?? undefined });
    else this.answerQuery(id, { error: req.errorMessage || req.failure?.message || "query failed" });
  }

  // ---------------------------------------------------------------- boot

  /** Rebuild from the database: executions, their derived state, timers and tasks. */
  async recover(): Promise<{ open: number; closed: number }> {
    for (const ns of await this.store.loadNamespaces()) this.namespaces.set(ns.name, ns);
    if (!this.namespaces.has("default")) {
      const ns = { name: "default", description: "Default namespace of the Tandem dev service", retentionDays: 3 };
      this.namespaces.set(ns.name, ns);
      this.store.putNamespace(ns);
    }
    const rows = await this.store.loadExecutions();
    const openEvents = await this.store.loadEventsOfOpenRuns(WS.WORKFLOW_EXECUTION_STATUS_RUNNING);
    const buffered = await this.store.loadBuffered();
    let open = 0;
    let closed = 0;
    for (const row of rows) {
      const exec = new Execution(row.namespace, row.workflowId, row.runId);
      this.runs.set(exec.runId, exec);
      const key = `${exec.namespace}\u0000${exec.workflowId}`;
      const prev = this.current.get(key);
      if (!prev || !prev.open || row.status === WS.WORKFLOW_EXECUTION_STATUS_RUNNING) this.current.set(key, exec);
      if (row.status !== WS.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        // Closed: keep the index; history is read on demand.
        exec.events = undefined;
        exec.status = row.status;
        exec.startMs = row.startTime.getTime();
        exec.closeMs = row.closeTime?.getTime() ?? 0;
        exec.historyLength = row.historyLength;
        exec.started = { workflowType: { name: row.workflowType }, taskQueue: { name: row.taskQueue } };
        closed++;
        continue;
      }
      open++;
      for (const ev of openEvents.get(exec.runId) ?? []) {
        exec.events?.push(ev);
        exec.historyLength = num(ev.eventId);
        this.applyEvent(exec, ev);
      }
      for (const [sid, rt] of Object.entries(row.runtime.activities)) {
        const a = exec.activities.get(Number(sid));
        if (a) a.rt = rt;
      }
      for (const b of buffered.get(exec.runId) ?? []) {
        exec.buffered.push(b.event);
        exec.bufferSeq = Math.max(exec.bufferSeq, b.seq);
        this.applyEvent(exec, b.event);
      }
    }
    // Closed runs' start attributes are needed for parent links of open children only; load lazily.
    for (const exec of this.runs.values()) {
      if (!exec.open || !exec.events) continue;
      this.rearm(exec);
    }
    await this.commit();
    return { open, closed };
  }

  private rearm(exec: Execution): void {
    this.armWorkflow(exec);
    const wft = exec.wft;
    if (wft) {
      if (wft.startedEventId) {
        if (exec.buffered.length > 0) {
          // Buffered events and a task in flight: time the task out now so the events reach the workflow.
          wft.startedMs = 0;
        }
        this.armWftTimeout(exec);
      } else this.dispatchWft(exec);
    } else if (exec.buffered.length > 0) {
      this.flushBuffered(exec);
      this.scheduleWft(exec);
    }
    for (const t of exec.timers.values()) this.armTimer(exec, t);
    for (const a of exec.activities.values()) this.armActivity(exec, a);
    for (const c of exec.children.values()) {
      if (c.started) continue;
      this.startChild(exec, c.initiatedEventId, true);
    }
  }
}

function isCloseCommand(t: number | null | undefined): boolean {
  return (
    t === CT.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION ||
    t === CT.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION ||
    t === CT.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION ||
    t === CT.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION
  );
}

function closeStatusOf(eventType: number): number {
  switch (eventType) {
    case ET.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
      return WS.WORKFLOW_EXECUTION_STATUS_COMPLETED;
    case ET.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
      return WS.WORKFLOW_EXECUTION_STATUS_FAILED;
    case ET.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
      return WS.WORKFLOW_EXECUTION_STATUS_TIMED_OUT;
    case ET.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
      return WS.WORKFLOW_EXECUTION_STATUS_CANCELED;
    case ET.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
      return WS.WORKFLOW_EXECUTION_STATUS_TERMINATED;
    case ET.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
      return WS.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW;
    default:
      return WS.WORKFLOW_EXECUTION_STATUS_RUNNING;
  }
}
