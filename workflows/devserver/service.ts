import type { sendUnaryData, ServerUnaryCall, ServiceError, UntypedServiceImplementation } from "@grpc/grpc-js";
import { Metadata } from "@grpc/grpc-js";
import { decodePayloads, type Engine, type Execution } from "./engine";
import { invalidArgument, RpcError, Status, unimplemented } from "./errors";
import { dur, L, num, temporal, ts, workflowServiceDefinition, type pb } from "./proto";
import type { Schedules } from "./schedules";
import { filterExecutions, parseVisibilityQuery } from "./visibility";

// gRPC handlers: validate the request, call the engine, commit, answer. Every RPC of the WorkflowService
// is registered; those the dev service does not implement answer UNIMPLEMENTED naming themselves.


const E = temporal.api.enums.v1;
const ET = E.EventType;

export const SERVER_VERSION = "1.24.0-tandem-dev";
const MAX_POLL_MS = 60_000;

type Handler = (req: never, ctx: CallContext) => Promise<object> | object;

export interface CallContext {
  deadlineMs: number;
  /** Deadline for a long poll: a little before the caller's own, at most a minute. */
  pollDeadlineMs: number;
  onCancel: (fn: () => void) => void;
}

function callContext(call: ServerUnaryCall<unknown, unknown>): CallContext {
  const d = call.getDeadline();
  const deadlineMs = d instanceof Date ? d.getTime() : Number.isFinite(d) ? d : Date.now() + MAX_POLL_MS + 10_000;
  const pollDeadlineMs = Math.min(deadlineMs - 1000, Date.now() + MAX_POLL_MS);
  return {
    deadlineMs,
    pollDeadlineMs,
    onCancel: (fn) => {
      call.on("cancelled", fn);
    },
  };
}

function toServiceError(e: unknown, method: string, log: (m: string) => void): Partial<ServiceError> {
  if (e instanceof RpcError) return { code: e.code, details: e.message, metadata: new Metadata() };
  // Unknown failures keep the service alive and reach the caller as INTERNAL with the cause.
  log(`${method} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return { code: Status.INTERNAL, details: `${method}: ${e instanceof Error ? e.message : String(e)}`, metadata: new Metadata() };
}

function required<T>(v: T | null | undefined, message: string): T {
  if (v === null || v === undefined || v === "") throw invalidArgument(message);
  return v;
}

export function buildServiceImplementation(engine: Engine, schedules: Schedules, log: (m: string) => void): UntypedServiceImplementation {
  const h: Record<string, Handler> = {
    GetSystemInfo: (): pb.api.workflowservice.v1.IGetSystemInfoResponse => ({
      serverVersion: SERVER_VERSION,
      capabilities: {
        signalAndQueryHeader: true,
        internalErrorDifferentiation: true,
        activityFailureIncludeHeartbeat: true,
        supportsSchedules: true,
        encodedFailureAttributes: true,
        upsertMemo: true,
        eagerWorkflowStart: false,
        sdkMetadata: true,
        countGroupByExecutionStatus: false,
        nexus: false,
      },
    }),

    GetClusterInfo: (): pb.api.workflowservice.v1.IGetClusterInfoResponse => ({
      supportedClients: {},
      serverVersion: SERVER_VERSION,
      clusterId: "tandem-dev",
      clusterName: "active",
      historyShardCount: 1,
      persistenceStore: "tandem",
      visibilityStore: "tandem",
    }),

    DescribeNamespace: (req: pb.api.workflowservice.v1.IDescribeNamespaceRequest): pb.api.workflowservice.v1.IDescribeNamespaceResponse => {
      const ns = engine.requireNamespace(req.namespace);
      return describeNamespace(ns);
    },

    ListNamespaces: (): pb.api.workflowservice.v1.IListNamespacesResponse => ({
      namespaces: [...engine.namespaces.values()].map(describeNamespace),
      nextPageToken: Buffer.alloc(0),
    }),

    RegisterNamespace: async (req: pb.api.workflowservice.v1.IRegisterNamespaceRequest): Promise<pb.api.workflowservice.v1.IRegisterNamespaceResponse> => {
      const name = required(req.namespace, "Namespace not set on request.");
      const days = Math.max(1, Math.round(num(req.workflowExecutionRetentionPeriod?.seconds) / 86400) || 3);
      engine.registerNamespace({ name, description: req.description ?? "", retentionDays: days });
      await engine.commit();
      return {};
    },

    StartWorkflowExecution: async (req: pb.api.workflowservice.v1.IStartWorkflowExecutionRequest): Promise<pb.api.workflowservice.v1.IStartWorkflowExecutionResponse> => {
      const { exec, started } = engine.startWorkflow({
        namespace: req.namespace ?? "",
        workflowId: req.workflowId ?? "",
        workflowType: req.workflowType?.name ?? "",
        taskQueue: req.taskQueue?.name ?? "",
        input: req.input,
        workflowExecutionTimeout: req.workflowExecutionTimeout,
        workflowRunTimeout: req.workflowRunTimeout,
        workflowTaskTimeout: req.workflowTaskTimeout,
        identity: req.identity,
        requestId: req.requestId,
        workflowIdReusePolicy: req.workflowIdReusePolicy,
        workflowIdConflictPolicy: req.workflowIdConflictPolicy,
        retryPolicy: req.retryPolicy,
        cronSchedule: req.cronSchedule,
        memo: req.memo,
        searchAttributes: req.searchAttributes,
        header: req.header,
        workflowStartDelay: req.workflowStartDelay,
      });
      await engine.commit();
      return { runId: exec.runId, started, status: exec.status };
    },

    SignalWithStartWorkflowExecution: async (req: pb.api.workflowservice.v1.ISignalWithStartWorkflowExecutionRequest): Promise<pb.api.workflowservice.v1.ISignalWithStartWorkflowExecutionResponse> => {
      const signalName = required(req.signalName, "SignalName is not set on request.");
      const { exec, started } = engine.startWorkflow({
        namespace: req.namespace ?? "",
        workflowId: req.workflowId ?? "",
        workflowType: req.workflowType?.name ?? "",
        taskQueue: req.taskQueue?.name ?? "",
        input: req.input,
        workflowExecutionTimeout: req.workflowExecutionTimeout,
        workflowRunTimeout: req.workflowRunTimeout,
        workflowTaskTimeout: req.workflowTaskTimeout,
        identity: req.identity,
        requestId: req.requestId,
        workflowIdReusePolicy: req.workflowIdReusePolicy,
        workflowIdConflictPolicy: req.workflowIdConflictPolicy,
        retryPolicy: req.retryPolicy,
        cronSchedule: req.cronSchedule,
        memo: req.memo,
        searchAttributes: req.searchAttributes,
        header: req.header,
        workflowStartDelay: req.workflowStartDelay,
        signal: { name: signalName, input: req.signalInput },
      });
      await engine.commit();
      return { runId: exec.runId, started };
    },

    SignalWorkflowExecution: async (req: pb.api.workflowservice.v1.ISignalWorkflowExecutionRequest): Promise<pb.api.workflowservice.v1.ISignalWorkflowExecutionResponse> => {
      const exec = engine.getExecution(req.namespace ?? "", req.workflowExecution);
      const name = required(req.signalName, "SignalName is not set on request.");
      engine.signal(exec, { name, input: req.input, header: req.header, identity: req.identity ?? "", requestId: req.requestId ?? "" });
      await engine.commit();
      return {};
    },

    RequestCancelWorkflowExecution: async (req: pb.api.workflowservice.v1.IRequestCancelWorkflowExecutionRequest): Promise<pb.api.workflowservice.v1.IRequestCancelWorkflowExecutionResponse> => {
      const exec = engine.getExecution(req.namespace ?? "", req.workflowExecution);
      engine.requestCancel(exec, { identity: req.identity ?? "", reason: req.reason ?? "" });
      await engine.commit();
      return {};
    },

    TerminateWorkflowExecution: async (req: pb.api.workflowservice.v1.ITerminateWorkflowExecutionRequest): Promise<pb.api.workflowservice.v1.ITerminateWorkflowExecutionResponse> => {
      const exec = engine.getExecution(req.namespace ?? "", req.workflowExecution);
      engine.terminate(exec, { reason: req.reason ?? "", identity: req.identity ?? "", details: req.details });
      await engine.commit();
      return {};
    },

    QueryWorkflow: async (req: pb.api.workflowservice.v1.IQueryWorkflowRequest, ctx): Promise<pb.api.workflowservice.v1.IQueryWorkflowResponse> => {
      const exec = engine.getExecution(req.namespace ?? "", req.execution);
      const query = required(req.query, "Query is not set on request.");
      return engine.query(exec, query, ctx.deadlineMs);
    },

    DescribeWorkflowExecution: async (req: pb.api.workflowservice.v1.IDescribeWorkflowExecutionRequest): Promise<pb.api.workflowservice.v1.IDescribeWorkflowExecutionResponse> => {
      const exec = engine.getExecution(req.namespace ?? "", req.execution);
      if (!exec.events) {
        // Closed and evicted: the started attributes come from history.
        const events = await engine.historyOf(exec);
        const first = events[0]?.workflowExecutionStartedEventAttributes;
        if (first) exec.started = first;
      }
      return describeExecution(exec);
    },

    GetWorkflowExecutionHistory: async (req: pb.api.workflowservice.v1.IGetWorkflowExecutionHistoryRequest, ctx): Promise<pb.api.workflowservice.v1.IGetWorkflowExecutionHistoryResponse> => {
      const exec = engine.getExecution(req.namespace ?? "", req.execution);
      const closeOnly = req.historyEventFilterType === E.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT;
      if (closeOnly) {
        if (exec.open && req.waitNewEvent) await engine.waitClose(exec, ctx.pollDeadlineMs);
        if (exec.open) return { history: { events: [] }, nextPageToken: Buffer.from("wait") };
        const events = await engine.historyOf(exec);
        const last = events[events.length - 1];
        return { history: { events: last ? [last] : [] }, nextPageToken: Buffer.alloc(0) };
      }
      const from = req.nextPageToken && req.nextPageToken.length > 0 ? Number(Buffer.from(req.nextPageToken).toString("utf8")) || 0 : 0;
      if (req.waitNewEvent && from > 0) await engine.waitEvents(exec, from, ctx.pollDeadlineMs);
      const events = await engine.historyOf(exec);
      const pageSize = req.maximumPageSize && req.maximumPageSize > 0 ? req.maximumPageSize : 1000;
      const page = events.slice(from, from + pageSize);
      const end = from + page.length;
      const more = end < events.length || (req.waitNewEvent && exec.open);
      return { history: { events: page }, nextPageToken: more ? Buffer.from(String(end)) : Buffer.alloc(0) };
    },

    GetWorkflowExecutionHistoryReverse: async (req: pb.api.workflowservice.v1.IGetWorkflowExecutionHistoryReverseRequest): Promise<pb.api.workflowservice.v1.IGetWorkflowExecutionHistoryReverseResponse> => {
      const exec = engine.getExecution(req.namespace ?? "", req.execution);
      const events = [...(await engine.historyOf(exec))].reverse();
      return { history: { events }, nextPageToken: Buffer.alloc(0) };
    },

    ListWorkflowExecutions: (req: pb.api.workflowservice.v1.IListWorkflowExecutionsRequest): pb.api.workflowservice.v1.IListWorkflowExecutionsResponse => {
      engine.requireNamespace(req.namespace);
      const filter = parseVisibilityQuery(req.query ?? "");
      const all = filterExecutions([...engine.runs.values()], req.namespace ?? "", filter);
      const offset = req.nextPageToken && req.nextPageToken.length > 0 ? Number(Buffer.from(req.nextPageToken).toString("utf8")) || 0 : 0;
      const size = req.pageSize && req.pageSize > 0 ? req.pageSize : 1000;
      const page = all.slice(offset, offset + size);
      const next = offset + page.length < all.length ? Buffer.from(String(offset + page.length)) : Buffer.alloc(0);
      return { executions: page.map(executionInfo), nextPageToken: next };
    },

    CountWorkflowExecutions: (req: pb.api.workflowservice.v1.ICountWorkflowExecutionsRequest): pb.api.workflowservice.v1.ICountWorkflowExecutionsResponse => {
      engine.requireNamespace(req.namespace);
      const filter = parseVisibilityQuery(req.query ?? "");
      return { count: L(filterExecutions([...engine.runs.values()], req.namespace ?? "", filter).length) };
    },

    PollWorkflowTaskQueue: async (req: pb.api.workflowservice.v1.IPollWorkflowTaskQueueRequest, ctx): Promise<pb.api.workflowservice.v1.IPollWorkflowTaskQueueResponse> => {
      engine.requireNamespace(req.namespace);
      const queue = required(req.taskQueue?.name, "TaskQueue is not set on request.");
      if (req.taskQueue?.kind === E.TaskQueueKind.TASK_QUEUE_KIND_STICKY) {
        // Non-sticky dispatch: sticky queues never get a task; answer empty at the poll timeout.
        await engine.workflowTasks.take(engine.queueKey(req.namespace ?? "", `sticky\u0000${queue}`), ctx.pollDeadlineMs, { onAbort: ctx.onCancel });
        return {};
      }
      const key = engine.queueKey(req.namespace ?? "", queue);
      // An object, not a local: the checker cannot see the callback set it while we were awaiting.
      const poll = { aborted: false };
      ctx.onCancel(() => (poll.aborted = true));
      for (;;) {
        const ref = await engine.workflowTasks.take(key, ctx.pollDeadlineMs, { onAbort: ctx.onCancel });
        if (!ref) return {};
        if (poll.aborted) {
          engine.workflowTasks.add(key, ref); // the poller left: give the task to the next one
          return {};
        }
        if (ref.kind === "query") {
          const res = await engine.queryTaskResponse(ref);
          if (res) return res;
          continue;
        }
        const exec = engine.startWorkflowTask(ref, req.identity ?? "", Math.random().toString(36).slice(2));
        if (!exec) continue;
        // No need to wait for WorkflowTaskStarted to be durable: if it is lost in a crash, the worker's
        // completion is refused (NOT_FOUND) and the task is dispatched again; nothing runs twice.
        engine.commit().catch((e: unknown) => log(`commit after workflow task start failed: ${String(e)}`));
        return engine.pollWorkflowTaskResponse(exec);
      }
    },

    RespondWorkflowTaskCompleted: async (req: pb.api.workflowservice.v1.IRespondWorkflowTaskCompletedRequest): Promise<pb.api.workflowservice.v1.IRespondWorkflowTaskCompletedResponse> => {
      engine.completeWorkflowTask(req);
      await engine.commit();
      return { activityTasks: [] };
    },

    RespondWorkflowTaskFailed: async (req: pb.api.workflowservice.v1.IRespondWorkflowTaskFailedRequest): Promise<pb.api.workflowservice.v1.IRespondWorkflowTaskFailedResponse> => {
      engine.failWorkflowTask(req);
      await engine.commit();
      return {};
    },

    RespondQueryTaskCompleted: (req: pb.api.workflowservice.v1.IRespondQueryTaskCompletedRequest): pb.api.workflowservice.v1.IRespondQueryTaskCompletedResponse => {
      engine.respondQueryTask(req);
      return {};
    },

    PollActivityTaskQueue: async (req: pb.api.workflowservice.v1.IPollActivityTaskQueueRequest, ctx): Promise<pb.api.workflowservice.v1.IPollActivityTaskQueueResponse> => {
      engine.requireNamespace(req.namespace);
      const queue = required(req.taskQueue?.name, "TaskQueue is not set on request.");
      const key = engine.queueKey(req.namespace ?? "", queue);
      // An object, not a local: the checker cannot see the callback set it while we were awaiting.
      const poll = { aborted: false };
      ctx.onCancel(() => (poll.aborted = true));
      for (;;) {
        const ref = await engine.activityTasks.take(key, ctx.pollDeadlineMs, { onAbort: ctx.onCancel });
        if (!ref) return {};
        if (poll.aborted) {
          engine.activityTasks.add(key, ref);
          return {};
        }
        const started = engine.startActivityTask(ref, req.identity ?? "");
        if (!started) continue;
        await engine.commit();
        return engine.activityTaskResponse(started.exec, started.act);
      }
    },

    RecordActivityTaskHeartbeat: async (req: pb.api.workflowservice.v1.IRecordActivityTaskHeartbeatRequest): Promise<pb.api.workflowservice.v1.IRecordActivityTaskHeartbeatResponse> => {
      const r = engine.heartbeat(req.taskToken, req.details);
      await engine.commit();
      return { cancelRequested: r.cancelRequested, activityPaused: false, activityReset: false };
    },

    RecordActivityTaskHeartbeatById: async (req: pb.api.workflowservice.v1.IRecordActivityTaskHeartbeatByIdRequest): Promise<pb.api.workflowservice.v1.IRecordActivityTaskHeartbeatByIdResponse> => {
      const { exec, act } = engine.activityById(req.namespace ?? "", req.workflowId ?? "", req.runId ?? "", req.activityId ?? "");
      const r = engine.heartbeat(engine.tokenFor(exec, act), req.details);
      await engine.commit();
      return { cancelRequested: r.cancelRequested, activityPaused: false, activityReset: false };
    },

    RespondActivityTaskCompleted: async (req: pb.api.workflowservice.v1.IRespondActivityTaskCompletedRequest): Promise<pb.api.workflowservice.v1.IRespondActivityTaskCompletedResponse> => {
      engine.completeActivity(req.taskToken, req.result, req.identity ?? "");
      await engine.commit();
      return {};
    },

    RespondActivityTaskCompletedById: async (req: pb.api.workflowservice.v1.IRespondActivityTaskCompletedByIdRequest): Promise<pb.api.workflowservice.v1.IRespondActivityTaskCompletedByIdResponse> => {
      const { exec, act } = engine.activityById(req.namespace ?? "", req.workflowId ?? "", req.runId ?? "", req.activityId ?? "");
      engine.completeActivity(engine.tokenFor(exec, act), req.result, req.identity ?? "");
      await engine.commit();
      return {};
    },

    RespondActivityTaskFailed: async (req: pb.api.workflowservice.v1.IRespondActivityTaskFailedRequest): Promise<pb.api.workflowservice.v1.IRespondActivityTaskFailedResponse> => {
      engine.failActivity(req.taskToken, req.failure, req.identity ?? "", req.lastHeartbeatDetails);
      await engine.commit();
      return { failures: [] };
    },

    RespondActivityTaskFailedById: async (req: pb.api.workflowservice.v1.IRespondActivityTaskFailedByIdRequest): Promise<pb.api.workflowservice.v1.IRespondActivityTaskFailedByIdResponse> => {
      const { exec, act } = engine.activityById(req.namespace ?? "", req.workflowId ?? "", req.runId ?? "", req.activityId ?? "");
      engine.failActivity(engine.tokenFor(exec, act), req.failure, req.identity ?? "", req.lastHeartbeatDetails);
      await engine.commit();
      return { failures: [] };
    },

    RespondActivityTaskCanceled: async (req: pb.api.workflowservice.v1.IRespondActivityTaskCanceledRequest): Promise<pb.api.workflowservice.v1.IRespondActivityTaskCanceledResponse> => {
      engine.cancelActivity(req.taskToken, req.details, req.identity ?? "");
      await engine.commit();
      return {};
    },

    RespondActivityTaskCanceledById: async (req: pb.api.workflowservice.v1.IRespondActivityTaskCanceledByIdRequest): Promise<pb.api.workflowservice.v1.IRespondActivityTaskCanceledByIdResponse> => {
      const { exec, act } = engine.activityById(req.namespace ?? "", req.workflowId ?? "", req.runId ?? "", req.activityId ?? "");
      engine.cancelActivity(engine.tokenFor(exec, act), req.details, req.identity ?? "");
      await engine.commit();
      return {};
    },

    ShutdownWorker: (req: pb.api.workflowservice.v1.IShutdownWorkerRequest): pb.api.workflowservice.v1.IShutdownWorkerResponse => {
      if (req.stickyTaskQueue) engine.workflowTasks.release(engine.queueKey(req.namespace ?? "", `sticky\u0000${req.stickyTaskQueue}`));
      return {};
    },

    CreateSchedule: (req: pb.api.workflowservice.v1.ICreateScheduleRequest) => schedules.create(req),
    DescribeSchedule: (req: pb.api.workflowservice.v1.IDescribeScheduleRequest) => schedules.describe(req),
    UpdateSchedule: (req: pb.api.workflowservice.v1.IUpdateScheduleRequest) => schedules.update(req),
    PatchSchedule: (req: pb.api.workflowservice.v1.IPatchScheduleRequest) => schedules.patch(req),
    DeleteSchedule: (req: pb.api.workflowservice.v1.IDeleteScheduleRequest) => schedules.delete(req),
    ListSchedules: (req: pb.api.workflowservice.v1.IListSchedulesRequest) => schedules.list(req),
    ListScheduleMatchingTimes: (req: pb.api.workflowservice.v1.IListScheduleMatchingTimesRequest) => schedules.matchingTimes(req),
  };

  const impl: UntypedServiceImplementation = {};
  for (const method of Object.keys(workflowServiceDefinition())) {
    const handler = h[method];
    impl[method] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      if (!handler) {
        callback(toServiceError(unimplemented(`${method} is not implemented by the Tandem dev service.`), method, log));
        return;
      }
      let ctx: CallContext;
      try {
        ctx = callContext(call);
      } catch (e) {
        callback(toServiceError(e, method, log));
        return;
      }
      Promise.resolve()
        .then(() => handler(call.request as never, ctx))
        .then(
          (res) => callback(null, res),
          (e: unknown) => callback(toServiceError(e, method, log)),
        );
    };
  }
  return impl;
}

function describeNamespace(ns: { name: string; description: string; retentionDays: number }): pb.api.workflowservice.v1.IDescribeNamespaceResponse {
  return {
    namespaceInfo: {
      name: ns.name,
      state: E.NamespaceState.NAMESPACE_STATE_REGISTERED,
      description: ns.description,
      ownerEmail: "",
      data: {},
      id: `tandem-${ns.name}`,
      capabilities: { eagerWorkflowStart: false, syncUpdate: false, asyncUpdate: false },
      supportsSchedules: true,
    },
    config: {
      workflowExecutionRetentionTtl: dur(ns.retentionDays * 86_400_000),
      historyArchivalState: E.ArchivalState.ARCHIVAL_STATE_DISABLED,
      visibilityArchivalState: E.ArchivalState.ARCHIVAL_STATE_DISABLED,
    },
    replicationConfig: { activeClusterName: "active", clusters: [{ clusterName: "active" }], state: E.ReplicationState.REPLICATION_STATE_NORMAL },
    failoverVersion: L(0),
    isGlobalNamespace: false,
  };
}

export function executionInfo(exec: Execution): pb.api.workflow.v1.IWorkflowExecutionInfo {
  const s = exec.started;
  return {
    execution: exec.execution,
    type: { name: exec.workflowType },
    startTime: ts(exec.startMs),
    closeTime: exec.closeMs ? ts(exec.closeMs) : null,
    status: exec.status,
    historyLength: L(exec.historyLength),
    parentNamespaceId: s.parentWorkflowNamespace ?? "",
    parentExecution: s.parentWorkflowExecution?.workflowId ? s.parentWorkflowExecution : null,
    executionTime: ts(exec.startMs),
    memo: s.memo ?? { fields: {} },
    searchAttributes: s.searchAttributes ?? { indexedFields: {} },
    taskQueue: exec.taskQueue,
    stateTransitionCount: L(exec.historyLength),
    historySizeBytes: L(0),
    rootExecution: s.rootWorkflowExecution ?? exec.execution,
    firstRunId: s.firstExecutionRunId || exec.runId,
  };
}

function describeExecution(exec: Execution): pb.api.workflowservice.v1.IDescribeWorkflowExecutionResponse {
  const s = exec.started;
  const PAS = E.PendingActivityState;
  return {
    executionConfig: {
      taskQueue: { name: exec.taskQueue, kind: E.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      workflowExecutionTimeout: s.workflowExecutionTimeout ?? dur(0),
      workflowRunTimeout: s.workflowRunTimeout ?? dur(0),
      defaultWorkflowTaskTimeout: s.workflowTaskTimeout ?? dur(0),
    },
    workflowExecutionInfo: executionInfo(exec),
    pendingActivities: [...exec.activities.values()]
      .filter((a) => !a.resolved)
      .map((a) => ({
        activityId: a.attrs.activityId ?? "",
        activityType: a.attrs.activityType ?? null,
        state: a.cancelRequested ? PAS.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED : a.rt.startedMs !== undefined ? PAS.PENDING_ACTIVITY_STATE_STARTED : PAS.PENDING_ACTIVITY_STATE_SCHEDULED,
        lastHeartbeatTime: a.rt.lastHeartbeatMs ? ts(a.rt.lastHeartbeatMs) : null,
        heartbeatDetails: decodePayloads(a.rt.heartbeatDetails) ?? null,
        lastStartedTime: a.rt.startedMs ? ts(a.rt.startedMs) : null,
        attempt: a.rt.attempt,
        maximumAttempts: a.attrs.retryPolicy?.maximumAttempts ?? 0,
        scheduledTime: ts(a.scheduledMs),
        lastWorkerIdentity: a.rt.startedIdentity ?? "",
      })),
    pendingChildren: [...exec.children.values()].map((c) => ({
      workflowId: c.attrs.workflowId ?? "",
      runId: c.runId ?? "",
      workflowTypeName: c.attrs.workflowType?.name ?? "",
      initiatedId: L(c.initiatedEventId),
      parentClosePolicy: c.attrs.parentClosePolicy ?? 0,
    })),
    pendingWorkflowTask: exec.wft
      ? {
          state: exec.wft.startedEventId ? E.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED : E.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED,
          scheduledTime: ts(exec.wft.scheduledMs),
          startedTime: exec.wft.startedMs ? ts(exec.wft.startedMs) : null,
          attempt: exec.wft.attempt,
        }
      : null,
  };
}

export { ET };
