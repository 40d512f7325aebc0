import { Cron } from "croner";
import type { TemporalScheduleState } from "../../db/schema/temporal";
import type { Engine, Execution } from "./engine";
import { alreadyExists, failedPrecondition, invalidArgument, notFound, RpcError } from "./errors";
import { dur, durMs, L, num, temporal, ts, tsMs, type pb } from "./proto";
import type { ScheduleRow } from "./store";

// The Schedules API: specs (structured calendars, calendar strings, cron strings via croner, intervals,
// exclusions, start/end bounds), overlap policies, catch-up window, pause, trigger-now and backfill.
// A schedule's spec is stored as sent; its runtime state (counters, running and buffered starts, the
// instant up to which nominal times were handled) is stored next to it and drives recovery on boot.


type ISchedule = pb.api.schedule.v1.ISchedule;
type ISpec = pb.api.schedule.v1.IScheduleSpec;
type IRange = pb.api.schedule.v1.IRange;

const E = temporal.api.enums.v1;
const OP = E.ScheduleOverlapPolicy;
const ScheduleCodec = temporal.api.schedule.v1.Schedule;
const MemoCodec = temporal.api.common.v1.Memo;
const DEFAULT_CATCHUP_MS = 365 * 86_400_000;
const RECENT_ACTIONS = 10;
const FUTURE_ACTIONS = 10;

interface Matcher {
  next(afterMs: number): number | undefined;
}

function rangesToField(ranges: IRange[] | null | undefined, dflt: string): string {
  if (!ranges || ranges.length === 0) return dflt;
  return ranges
    .map((r) => {
      const start = r.start ?? 0;
      const end = r.end && r.end > start ? r.end : start;
      const step = r.step && r.step > 1 ? r.step : 1;
      if (start === end) return String(start);
      return step > 1 ? `${start}-${end}/${step}` : `${start}-${end}`;
    })
    .join(",");
}

function cronMatcher(pattern: string, timezone: string | undefined, where: string): Matcher {
  let cron: Cron;
  try {
    cron = new Cron(pattern, { paused: true, timezone, domAndDow: true });
  } catch (e) {
    throw invalidArgument(`invalid ${where} "${pattern}": ${e instanceof Error ? e.message : String(e)}`);
  }
  return {
    next(afterMs) {
      const d = cron.nextRun(new Date(afterMs));
      return d ? d.getTime() : undefined;
    },
  };
}

/** Compile a ScheduleSpec into matchers; throws INVALID_ARGUMENT naming the bad part. */
export function compileSpec(spec: ISpec | null | undefined): { next(afterMs: number): number | undefined } {
  if (!spec) throw invalidArgument("Schedule spec is not set.");
  const tz = spec.timezoneName || undefined;
  const include: Matcher[] = [];
  for (const c of spec.structuredCalendar ?? []) {
    const pattern = [
      rangesToField(c.second, "0"),
      rangesToField(c.minute, "0"),
      rangesToField(c.hour, "0"),
      rangesToField(c.dayOfMonth, "*"),
      rangesToField(c.month, "*"),
      rangesToField(c.dayOfWeek, "*"),
      rangesToField(c.year, "*"),
    ].join(" ");
    include.push(cronMatcher(pattern, tz, "calendar spec"));
  }
  for (const c of spec.calendar ?? []) {
    const pattern = [c.second || "0", c.minute || "0", c.hour || "0", c.dayOfMonth || "*", c.month || "*", c.dayOfWeek || "*", c.year || "*"].join(" ");
    include.push(cronMatcher(pattern, tz, "calendar spec"));
  }
  for (const raw of spec.cronString ?? []) {
    let s = raw.trim();
    let zone = tz;
    const m = /^CRON_TZ=(\S+)\s+(.*)$/.exec(s);
    if (m) {
      zone = m[1];
      s = m[2] ?? "";
    }
    const every = /^@every\s+(\d+)([smhd])$/.exec(s);
    if (every) {
      const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[every[2] as "s" | "m" | "h" | "d"];
      const interval = Number(every[1]) * unit;
      include.push({ next: (after) => Math.floor(after / interval) * interval + interval });
      continue;
    }
    include.push(cronMatcher(s, zone, "cron string"));
  }
  for (const iv of spec.interval ?? []) {
    const interval = durMs(iv.interval);
    const phase = durMs(iv.phase);
    if (interval <= 0) throw invalidArgument("invalid interval spec: interval must be positive");
    if (phase < 0 || phase >= interval) throw invalidArgument("invalid interval spec: phase must be in [0, interval)");
    include.push({ next: (after) => Math.floor((after - phase) / interval) * interval + interval + phase });
  }
  if (include.length === 0) throw invalidArgument("Schedule spec has no calendar, cron string or interval.");
  const exclude: Matcher[] = (spec.excludeStructuredCalendar ?? []).map((c) =>
    cronMatcher(
      [
        rangesToField(c.second, "0"),
        rangesToField(c.minute, "0"),
        rangesToField(c.hour, "0"),
        rangesToField(c.dayOfMonth, "*"),
        rangesToField(c.month, "*"),
        rangesToField(c.dayOfWeek, "*"),
        rangesToField(c.year, "*"),
      ].join(" "),
      tz,
      "exclude calendar",
    ),
  );
  const startMs = spec.startTime ? tsMs(spec.startTime) : 0;
  const endMs = spec.endTime ? tsMs(spec.endTime) : 0;
  return {
    next(afterMs) {
      let after = Math.max(afterMs, startMs - 1);
      for (let guard = 0; guard < 10_000; guard++) {
        let best: number | undefined;
        for (const m of include) {
          const t = m.next(after);
          if (t !== undefined && t > after && (best === undefined || t < best)) best = t;
        }
        if (best === undefined) return undefined;
        if (endMs > 0 && best > endMs) return undefined;
        if (!exclude.some((x) => x.next(best - 1) === best)) return best;
        after = best;
      }
      return undefined;
    },
  };
}

interface Sched {
  namespace: string;
  id: string;
  schedule: ISchedule;
  memo: pb.api.common.v1.IMemo | null;
  state: TemporalScheduleState;
  spec: { next(afterMs: number): number | undefined };
  timer?: { cancel(): void };
}

function formatNominal(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function jsonPayload(value: unknown, type: string): pb.api.common.v1.IPayload {
  return {
    metadata: { encoding: Buffer.from("json/plain"), type: Buffer.from(type) },
    data: Buffer.from(JSON.stringify(value)),
  };
}

export class Schedules {
  private readonly all = new Map<string, Sched>();
  private readonly byRun = new Map<string, Sched>();

  constructor(private readonly engine: Engine) {
    engine.closeListeners.push((exec) => this.onClose(exec));
  }

  private key(namespace: string, id: string): string {
    return `${namespace}\u0000${id}`;
  }

  private get(namespace: string | null | undefined, id: string | null | undefined): Sched {
    this.engine.requireNamespace(namespace);
    if (!id) throw invalidArgument("ScheduleId is not set on request.");
    const s = this.all.get(this.key(namespace ?? "", id));
    if (!s) throw notFound(`schedule "${id}" not found`);
    return s;
  }

  private persist(s: Sched): void {
    const row: ScheduleRow = {
      namespace: s.namespace,
      scheduleId: s.id,
      schedule: ScheduleCodec.encode(s.schedule).finish(),
      memo: s.memo ? MemoCodec.encode(s.memo).finish() : null,
      state: s.state,
    };
    this.engine.store.putSchedule(row);
  }

  private validate(schedule: ISchedule | null | undefined): { schedule: ISchedule; spec: Sched["spec"] } {
    if (!schedule) throw invalidArgument("Schedule is not set on request.");
    const start = schedule.action?.startWorkflow;
    if (!start) throw invalidArgument("Schedule action is not set: the only supported action is startWorkflow.");
    if (!start.workflowId) throw invalidArgument("Schedule action startWorkflow.workflowId is not set.");
    if (!start.workflowType?.name) throw invalidArgument("Schedule action startWorkflow.workflowType is not set.");
    if (!start.taskQueue?.name) throw invalidArgument("Schedule action startWorkflow.taskQueue is not set.");
    const policy = schedule.policies?.overlapPolicy ?? 0;
    if (!(policy in OP)) throw invalidArgument(`invalid overlap policy ${policy}`);
    return { schedule, spec: compileSpec(schedule.spec) };
  }

  // ---- RPCs

  async create(req: pb.api.workflowservice.v1.ICreateScheduleRequest): Promise<pb.api.workflowservice.v1.ICreateScheduleResponse> {
    this.engine.requireNamespace(req.namespace);
    const id = req.scheduleId;
    if (!id) throw invalidArgument("ScheduleId is not set on request.");
    const key = this.key(req.namespace ?? "", id);
    if (this.all.has(key)) throw alreadyExists(`schedule "${id}" is already registered`);
    const { schedule, spec } = this.validate(req.schedule);
    const now = Date.now();
    const s: Sched = {
      namespace: req.namespace ?? "",
      id,
      schedule,
      memo: req.memo ?? null,
      spec,
      state: {
        createdMs: now,
        updatedMs: now,
        processedUntilMs: now,
        conflictToken: 1,
        actionCount: 0,
        missedCatchupWindow: 0,
        overlapSkipped: 0,
        bufferDropped: 0,
        buffered: [],
        running: [],
        recentActions: [],
      },
    };
    this.all.set(key, s);
    if (req.initialPatch) this.applyPatch(s, req.initialPatch);
    this.persist(s);
    this.arm(s);
    await this.engine.commit();
    return { conflictToken: Buffer.from(String(s.state.conflictToken)) };
  }

  describe(req: pb.api.workflowservice.v1.IDescribeScheduleRequest): pb.api.workflowservice.v1.IDescribeScheduleResponse {
    const s = this.get(req.namespace, req.scheduleId);
    const st = s.state;
    return {
      schedule: s.schedule,
      info: {
        actionCount: L(st.actionCount),
        missedCatchupWindow: L(st.missedCatchupWindow),
        overlapSkipped: L(st.overlapSkipped),
        bufferDropped: L(st.bufferDropped),
        bufferSize: L(st.buffered.length),
        runningWorkflows: st.running.map((r) => ({ workflowId: r.workflowId, runId: r.runId })),
        recentActions: st.recentActions.map((a) => this.actionResult(a)),
        futureActionTimes: this.future(s).map(ts),
        createTime: ts(st.createdMs),
        updateTime: ts(st.updatedMs),
      },
      memo: s.memo,
      searchAttributes: { indexedFields: {} },
      conflictToken: Buffer.from(String(st.conflictToken)),
    };
  }

  async update(req: pb.api.workflowservice.v1.IUpdateScheduleRequest): Promise<pb.api.workflowservice.v1.IUpdateScheduleResponse> {
    const s = this.get(req.namespace, req.scheduleId);
    if (req.conflictToken && req.conflictToken.length > 0 && Buffer.from(req.conflictToken).toString() !== String(s.state.conflictToken))
      throw failedPrecondition("mismatched conflict token: the schedule changed since it was described");
    const { schedule, spec } = this.validate(req.schedule);
    s.schedule = schedule;
    s.spec = spec;
    if (req.memo) s.memo = req.memo;
    s.state.conflictToken++;
    s.state.updatedMs = Date.now();
    s.state.processedUntilMs = Math.max(s.state.processedUntilMs, Date.now());
    this.persist(s);
    this.arm(s);
    await this.engine.commit();
    return {};
  }

  async patch(req: pb.api.workflowservice.v1.IPatchScheduleRequest): Promise<pb.api.workflowservice.v1.IPatchScheduleResponse> {
    const s = this.get(req.namespace, req.scheduleId);
    if (!req.patch) throw invalidArgument("Patch is not set on request.");
    this.applyPatch(s, req.patch);
    s.state.updatedMs = Date.now();
    this.persist(s);
    this.arm(s);
    await this.engine.commit();
    return {};
  }

  async delete(req: pb.api.workflowservice.v1.IDeleteScheduleRequest): Promise<pb.api.workflowservice.v1.IDeleteScheduleResponse> {
    const s = this.get(req.namespace, req.scheduleId);
    s.timer?.cancel();
    this.all.delete(this.key(s.namespace, s.id));
    for (const r of s.state.running) this.byRun.delete(r.runId);
    this.engine.store.deleteSchedule(s.namespace, s.id);
    await this.engine.commit();
    return {};
  }

  list(req: pb.api.workflowservice.v1.IListSchedulesRequest): pb.api.workflowservice.v1.IListSchedulesResponse {
    this.engine.requireNamespace(req.namespace);
    const entries = [...this.all.values()]
      .filter((s) => s.namespace === req.namespace)
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((s) => ({
        scheduleId: s.id,
        memo: s.memo,
        searchAttributes: { indexedFields: {} },
        info: {
          spec: s.schedule.spec ?? null,
          workflowType: s.schedule.action?.startWorkflow?.workflowType ?? null,
          notes: s.schedule.state?.notes ?? "",
          paused: s.schedule.state?.paused ?? false,
          recentActions: s.state.recentActions.map((a) => this.actionResult(a)),
          futureActionTimes: this.future(s).map(ts),
        },
      }));
    return { schedules: entries, nextPageToken: Buffer.alloc(0) };
  }

  matchingTimes(req: pb.api.workflowservice.v1.IListScheduleMatchingTimesRequest): pb.api.workflowservice.v1.IListScheduleMatchingTimesResponse {
    const s = this.get(req.namespace, req.scheduleId);
    const start = tsMs(req.startTime);
    const end = tsMs(req.endTime);
    if (end < start) throw invalidArgument("EndTime is before StartTime.");
    const out: number[] = [];
    let t = s.spec.next(start - 1);
    while (t !== undefined && t <= end && out.length < 1000) {
      out.push(t);
      t = s.spec.next(t);
    }
    return { startTime: out.map(ts) };
  }

  // ---- runtime

  private actionResult(a: TemporalScheduleState["recentActions"][number]): pb.api.schedule.v1.IScheduleActionResult {
    const exec = this.engine.runs.get(a.runId);
    return {
      scheduleTime: ts(a.nominalMs),
      actualTime: ts(a.actualMs),
      startWorkflowResult: { workflowId: a.workflowId, runId: a.runId },
      startWorkflowStatus: exec?.status ?? E.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED,
    };
  }

  private future(s: Sched): number[] {
    const out: number[] = [];
    let t = s.spec.next(Math.max(Date.now(), s.state.processedUntilMs));
    while (t !== undefined && out.length < FUTURE_ACTIONS) {
      out.push(t);
      t = s.spec.next(t);
    }
    return out;
  }

  private paused(s: Sched): boolean {
    return Boolean(s.schedule.state?.paused);
  }

  private applyPatch(s: Sched, patch: pb.api.schedule.v1.ISchedulePatch): void {
    const state = (s.schedule.state ??= {});
    if (patch.pause) {
      state.paused = true;
      state.notes = patch.pause;
    }
    if (patch.unpause) {
      state.paused = false;
      state.notes = patch.unpause;
      s.state.processedUntilMs = Math.max(s.state.processedUntilMs, Date.now());
    }
    if (patch.triggerImmediately) {
      const nominal = patch.triggerImmediately.scheduledTime ? tsMs(patch.triggerImmediately.scheduledTime) : Date.now();
      this.act(s, nominal, patch.triggerImmediately.overlapPolicy || undefined, true);
    }
    for (const b of patch.backfillRequest ?? []) {
      const start = tsMs(b.startTime);
      const end = tsMs(b.endTime);
      if (end < start) throw invalidArgument("Backfill end time is before its start time.");
      let t = s.spec.next(start);
      let count = 0;
      while (t !== undefined && t <= end) {
        if (++count > 10_000) throw invalidArgument("Backfill covers more than 10000 actions; split it.");
        this.act(s, t, b.overlapPolicy || undefined, true);
        t = s.spec.next(t);
      }
    }
  }

  /** Arm the timer for the next nominal time (or process the ones already due). */
  arm(s: Sched): void {
    s.timer?.cancel();
    const next = s.spec.next(s.state.processedUntilMs);
    if (next === undefined) return;
    s.timer = this.engine.setTimer(next, () => this.tick(s));
  }

  private tick(s: Sched): void {
    if (!this.all.has(this.key(s.namespace, s.id))) return;
    const now = Date.now();
    const catchup = durMs(s.schedule.policies?.catchupWindow) || DEFAULT_CATCHUP_MS;
    let t = s.spec.next(s.state.processedUntilMs);
    while (t !== undefined && t <= now) {
      if (this.paused(s)) {
        // Paused: nominal times pass without actions.
      } else if (now - t > catchup) s.state.missedCatchupWindow++;
      else this.act(s, t, undefined, false);
      s.state.processedUntilMs = t;
      t = s.spec.next(t);
    }
    this.persist(s);
    this.arm(s);
  }

  private runningOpen(s: Sched): { workflowId: string; runId: string }[] {
    s.state.running = s.state.running.filter((r) => this.engine.runs.get(r.runId)?.open);
    return s.state.running;
  }

  /** One nominal time: start, or apply the overlap policy. */
  private act(s: Sched, nominalMs: number, overlapOverride: number | undefined, manual: boolean): void {
    const st = s.schedule.state;
    if (!manual && st?.limitedActions && num(st.remainingActions) <= 0) return;
    const policy = overlapOverride || s.schedule.policies?.overlapPolicy || OP.SCHEDULE_OVERLAP_POLICY_SKIP;
    const running = this.runningOpen(s);
    if (running.length === 0 || policy === OP.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL) {
      this.startAction(s, nominalMs);
      return;
    }
    switch (policy) {
      case OP.SCHEDULE_OVERLAP_POLICY_SKIP:
        s.state.overlapSkipped++;
        return;
      case OP.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE:
        if (s.state.buffered.length >= 1) s.state.bufferDropped++;
        else s.state.buffered.push({ nominalMs, overlapPolicy: policy });
        return;
      case OP.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL:
        s.state.buffered.push({ nominalMs, overlapPolicy: policy });
        return;
      case OP.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER:
        s.state.buffered.push({ nominalMs, overlapPolicy: policy });
        for (const r of running) {
          const exec = this.engine.runs.get(r.runId);
          if (exec?.open && !exec.cancelRequested) this.engine.requestCancel(exec, { identity: `schedule ${s.id}`, reason: "overlap policy CANCEL_OTHER" });
        }
        return;
      case OP.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER:
        for (const r of running) {
          const exec = this.engine.runs.get(r.runId);
          if (exec?.open) this.engine.terminate(exec, { reason: "overlap policy TERMINATE_OTHER", identity: `schedule ${s.id}` });
        }
        this.startAction(s, nominalMs);
        return;
      default:
        s.state.overlapSkipped++;
    }
  }

  private startAction(s: Sched, nominalMs: number): void {
    const a = s.schedule.action?.startWorkflow;
    if (!a) return;
    const workflowId = s.schedule.policies?.keepOriginalWorkflowId ? (a.workflowId ?? "") : `${a.workflowId ?? ""}-${formatNominal(nominalMs)}`;
    const indexed = { ...(a.searchAttributes?.indexedFields ?? {}) };
    indexed.TemporalScheduledStartTime = jsonPayload(new Date(nominalMs).toISOString(), "Datetime");
    indexed.TemporalScheduledById = jsonPayload(s.id, "Keyword");
    try {
      const { exec } = this.engine.startWorkflow({
        namespace: s.namespace,
        workflowId,
        workflowType: a.workflowType?.name ?? "",
        taskQueue: a.taskQueue?.name ?? "",
        input: a.input,
        workflowExecutionTimeout: a.workflowExecutionTimeout,
        workflowRunTimeout: a.workflowRunTimeout,
        workflowTaskTimeout: a.workflowTaskTimeout,
        identity: `temporal-scheduler ${s.id}`,
        requestId: `${s.namespace}/${s.id}/${nominalMs}`,
        workflowIdReusePolicy: a.workflowIdReusePolicy,
        retryPolicy: a.retryPolicy,
        memo: a.memo,
        searchAttributes: { indexedFields: indexed },
        header: a.header,
      });
      s.state.running.push({ workflowId: exec.workflowId, runId: exec.runId });
      this.byRun.set(exec.runId, s);
      s.state.actionCount++;
      s.state.recentActions.push({ nominalMs, actualMs: Date.now(), workflowId: exec.workflowId, runId: exec.runId });
      if (s.state.recentActions.length > RECENT_ACTIONS) s.state.recentActions.splice(0, s.state.recentActions.length - RECENT_ACTIONS);
      const st = s.schedule.state;
      if (st?.limitedActions) st.remainingActions = L(Math.max(0, num(st.remainingActions) - 1));
    } catch (e) {
      // A start the engine refuses (id still running, ...) counts as skipped, as on the real server.
      if (!(e instanceof RpcError)) throw e;
      s.state.overlapSkipped++;
    }
  }

  private onClose(exec: Execution): void {
    const s = this.byRun.get(exec.runId);
    if (!s) return;
    this.byRun.delete(exec.runId);
    if (!this.all.has(this.key(s.namespace, s.id))) return;
    // A run that continues (continue-as-new, retry) still belongs to the schedule.
    if (exec.newRunId) {
      const r = s.state.running.find((x) => x.runId === exec.runId);
      if (r) r.runId = exec.newRunId;
      this.byRun.set(exec.newRunId, s);
      this.persist(s);
      return;
    }
    s.state.running = s.state.running.filter((r) => r.runId !== exec.runId);
    if (exec.status === E.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED && s.schedule.policies?.pauseOnFailure) {
      const state = (s.schedule.state ??= {});
      state.paused = true;
      state.notes = `paused after workflow ${exec.workflowId} failed`;
    }
    const next = s.state.buffered.shift();
    if (next && s.state.running.length === 0) this.startAction(s, next.nominalMs);
    this.persist(s);
  }

  /** Boot: load schedules, re-link running workflows, process nominal times missed while down. */
  async recover(): Promise<number> {
    const rows = await this.engine.store.loadSchedules();
    for (const row of rows) {
      const schedule = ScheduleCodec.toObject(ScheduleCodec.decode(row.schedule), { arrays: true }) as ISchedule;
      const memo = row.memo ? (MemoCodec.toObject(MemoCodec.decode(row.memo)) as pb.api.common.v1.IMemo) : null;
      let spec: Sched["spec"];
      try {
        spec = compileSpec(schedule.spec);
      } catch {
        continue; // validated on create; a spec that no longer compiles stays stored but idle
      }
      const s: Sched = { namespace: row.namespace, id: row.scheduleId, schedule, memo, state: row.state, spec };
      this.all.set(this.key(s.namespace, s.id), s);
      for (const r of s.state.running) {
        const exec = this.engine.runs.get(r.runId);
        if (exec?.open) this.byRun.set(r.runId, s);
      }
      const before = s.state.running.length;
      this.runningOpen(s);
      // Runs that closed while the service was down release buffered starts.
      if (before > 0 && s.state.running.length === 0) {
        const next = s.state.buffered.shift();
        if (next) this.startAction(s, next.nominalMs);
      }
      this.tick(s);
    }
    await this.engine.commit();
    return rows.length;
  }

  stop(): void {
    for (const s of this.all.values()) s.timer?.cancel();
  }
}

export { dur };
