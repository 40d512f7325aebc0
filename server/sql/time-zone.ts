import type { Analysis } from "./analyze";

// The session time zone of a job, as Flink's `table.local-time-zone`: the script's own SET wins, then
// the job's `timeZone`, then the project's (copied onto the job when the project file is loaded), else UTC.

export const TIME_ZONE_KEY = "table.local-time-zone";

/** True for a zone Flink and the JVM accept: an IANA name (Asia/Shanghai), UTC, or a fixed offset like GMT+08:00. */
export function isTimeZone(zone: string): boolean {
  const offset = /^GMT[+-](\d{1,2})(?::([0-5]\d))?$/.exec(zone);
  if (offset) return Number(offset[1]) <= 18; // Java's ZoneId accepts up to ±18:00; Intl has no such names
  if (!/^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** UTC under any of its names: the only zone in which the local engine's wall clock and instants agree. */
export function isUtc(zone: string): boolean {
  return /^(?:UTC|Etc\/UTC|GMT|Etc\/GMT|Z|Zulu|UCT|Etc\/UCT|Universal|GMT[+-]0{1,2}(?::00)?)$/i.test(zone);
}

/** The value of `SET 'table.local-time-zone' = '...'` in the script, if any (the last one wins). */
export function scriptTimeZone(analysis: Analysis, text: string): string | undefined {
  let zone: string | undefined;
  for (const st of analysis.statements) {
    if (st.kind !== "set") continue;
    const m = /^\s*SET\s+'([^']*)'\s*=\s*'([^']*)'/i.exec(text.slice(st.start, st.end + 1));
    if (m?.[1]?.trim().toLowerCase() === TIME_ZONE_KEY) zone = m[2]?.trim();
  }
  return zone;
}

export function effectiveTimeZone(job: { timeZone?: string }, analysis: Analysis, text: string): string {
  return scriptTimeZone(analysis, text) ?? job.timeZone ?? "UTC";
}

/**
 * The name DuckDB's ICU knows for a session zone, or undefined when it has none. ICU reads IANA names
 * as the JVM does but not Java's `GMT+08:00`; a whole-hour offset is the IANA `Etc/GMT-8` (POSIX sign:
 * inverted). Offsets with minutes have no IANA name, so the local engine cannot apply them.
 */
export function duckdbTimeZone(zone: string): string | undefined {
  if (isUtc(zone)) return "UTC";
  const offset = /^GMT([+-])(\d{1,2})(?::([0-5]\d))?$/.exec(zone);
  if (offset) {
    if (Number(offset[3] ?? 0) !== 0 || Number(offset[2]) > 14) return undefined;
    return `Etc/GMT${offset[1] === "+" ? "-" : "+"}${Number(offset[2])}`;
  }
  return isTimeZone(zone) ? zone : undefined;
}
