import { Bizdate } from "../scheduling/index";
import type { AlertKind, AlertSeverity } from "./events";

// The optional text of a channel: `{{job}} {{bizdate}} failed: {{reason}}` becomes the payload's `text`,
// which IM webhooks (Slack-like `{"text": ...}`) and mail bridges show as is. Only the fields below exist;
// a template naming another is refused when the channel is saved, not when an alert is sent.

export const TEMPLATE_FIELDS = ["project", "job", "bizdate", "kind", "severity", "rule", "reason", "at", "key"] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The problems of a template, as sentences (empty: it is fine). */
export function templateProblems(template: string): string[] {
  const problems: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) {
    const field = m[1] ?? "";
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(field)) {
      problems.push(`unknown placeholder {{${field}}}; use ${TEMPLATE_FIELDS.map((f) => `{{${f}}}`).join(", ")}`);
    }
  }
  const stripped = template.replace(PLACEHOLDER, "");
  if (stripped.includes("{{") || stripped.includes("}}")) problems.push("a placeholder is not closed: write {{field}}");
  return problems;
}

export interface AlertPayload {
  /** The channel's template rendered; absent without a template. */
  text?: string;
  kind: AlertKind;
  severity: AlertSeverity;
  project: string;
  job: string;
  /** yyyy-MM-dd, or null for events not about a day. */
  bizdate: string | null;
  rule: string | null;
  reason: string;
  key: string;
  at: string;
  data: Record<string, unknown>;
}

export function renderTemplate(template: string, payload: Omit<AlertPayload, "text">): string {
  const values: Record<TemplateField, string | null> = {
    project: payload.project, job: payload.job, bizdate: payload.bizdate, kind: payload.kind, severity: payload.severity,
    rule: payload.rule, reason: payload.reason, at: payload.at, key: payload.key,
  };
  // A field without a value (no rule, no day) reads as "-"; an unknown one cannot be saved (templateProblems).
  return template.replace(PLACEHOLDER, (_, name: string) => values[name as TemplateField] ?? "-");
}

export function payloadBizdate(bizdate: string | null): string | null {
  if (!bizdate) return null;
  try {
    return Bizdate.parse(bizdate).format("yyyy-MM-dd");
  } catch {
    return bizdate;
  }
}
