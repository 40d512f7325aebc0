import type { Execution } from "./engine";
import { invalidArgument } from "./errors";
import { temporal } from "./proto";

// A small subset of Temporal's visibility query language, enough for Tandem and the CLI:
//   WorkflowType = 'x' AND ExecutionStatus = 'Running' AND WorkflowId STARTS_WITH 'batch:'
// Fields: WorkflowId, WorkflowType, RunId, TaskQueue, ExecutionStatus; operators: =, !=, STARTS_WITH.

const WS = temporal.api.enums.v1.WorkflowExecutionStatus;
const STATUS_NAMES: Record<string, number> = {
  Running: WS.WORKFLOW_EXECUTION_STATUS_RUNNING,
  Completed: WS.WORKFLOW_EXECUTION_STATUS_COMPLETED,
  Failed: WS.WORKFLOW_EXECUTION_STATUS_FAILED,
  Canceled: WS.WORKFLOW_EXECUTION_STATUS_CANCELED,
  Terminated: WS.WORKFLOW_EXECUTION_STATUS_TERMINATED,
  ContinuedAsNew: WS.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW,
  TimedOut: WS.WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
};
const FIELDS = ["WorkflowId", "WorkflowType", "RunId", "TaskQueue", "ExecutionStatus"] as const;
type Field = (typeof FIELDS)[number];

export interface Condition {
  field: Field;
  op: "=" | "!=" | "STARTS_WITH";
  value: string;
}

export function parseVisibilityQuery(query: string): Condition[] {
  const q = query.trim().replace(/\s+ORDER\s+BY\s+.*$/i, "");
  if (!q) return [];
  const parts = q.split(/\s+AND\s+/i);
  return parts.map((part) => {
    const m = /^\s*`?(\w+)`?\s*(=|!=|STARTS_WITH)\s*(?:'([^']*)'|"([^"]*)")\s*$/i.exec(part);
    if (!m) throw invalidArgument(`invalid query: cannot parse "${part.trim()}" (supported: <field> = 'value', != 'value', STARTS_WITH 'prefix', joined by AND)`);
    const field = FIELDS.find((f) => f.toLowerCase() === (m[1] ?? "").toLowerCase());
    if (!field) throw invalidArgument(`invalid query: unknown field ${m[1] ?? ""}; valid fields are ${FIELDS.join(", ")}`);
    const value = m[3] ?? m[4] ?? "";
    if (field === "ExecutionStatus" && STATUS_NAMES[value] === undefined)
      throw invalidArgument(`invalid query: unknown ExecutionStatus '${value}'; valid values are ${Object.keys(STATUS_NAMES).join(", ")}`);
    return { field, op: (m[2] ?? "=").toUpperCase() as Condition["op"], value };
  });
}

function fieldOf(e: Execution, f: Field): string {
  switch (f) {
    case "WorkflowId":
      return e.workflowId;
    case "WorkflowType":
      return e.workflowType;
    case "RunId":
      return e.runId;
    case "TaskQueue":
      return e.taskQueue;
    case "ExecutionStatus":
      return String(e.status);
  }
}

export function filterExecutions(runs: Execution[], namespace: string, conditions: Condition[]): Execution[] {
  const out = runs.filter((e) => {
    if (e.namespace !== namespace) return false;
    return conditions.every((c) => {
      const actual = fieldOf(e, c.field);
      const expected = c.field === "ExecutionStatus" ? String(STATUS_NAMES[c.value]) : c.value;
      if (c.op === "=") return actual === expected;
      if (c.op === "!=") return actual !== expected;
      return actual.startsWith(expected);
    });
  });
  return out.sort((a, b) => b.startMs - a.startMs);
}
