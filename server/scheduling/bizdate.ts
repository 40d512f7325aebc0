/**
 * The business date of a batch instance: a calendar day with no time zone. Parsed once from
 * `YYYYMMDD` or `YYYY-MM-DD`, formatted per pattern, and derived from a schedule by one rule.
 */
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const DASHED = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export class Bizdate {
  /** Days since 1970-01-01; integer arithmetic keeps day math free of DST and time zones. */
  private constructor(readonly epochDay: number) {}

  static parse(text: string): Bizdate {
    const m = COMPACT.exec(text.trim()) ?? DASHED.exec(text.trim());
    if (!m) throw new Error(`Bizdate "${text}" is not a date; write it as YYYYMMDD or YYYY-MM-DD.`);
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const ms = Date.UTC(y, mo - 1, d);
    const back = new Date(ms);
    if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
      throw new Error(`Bizdate "${text}" is not a calendar day.`);
    }
    return new Bizdate(ms / DAY_MS);
  }

  static fromParts(year: number, month: number, day: number): Bizdate {
    return Bizdate.parse(`${pad(year, 4)}${pad(month, 2)}${pad(day, 2)}`);
  }

  get year(): number { return new Date(this.epochDay * DAY_MS).getUTCFullYear(); }
  get month(): number { return new Date(this.epochDay * DAY_MS).getUTCMonth() + 1; }
  get day(): number { return new Date(this.epochDay * DAY_MS).getUTCDate(); }

  addDays(days: number): Bizdate {
    if (!Number.isInteger(days)) throw new Error(`A bizdate moves by whole days, not ${days}.`);
    return new Bizdate(this.epochDay + days);
  }

  /** Whole days from `this` to `other` (positive when `other` is later). */
  daysUntil(other: Bizdate): number { return other.epochDay - this.epochDay; }
  compare(other: Bizdate): number { return this.epochDay - other.epochDay; }
  equals(other: Bizdate): boolean { return this.epochDay === other.epochDay; }

  /** Tokens: yyyy, MM, dd (anything else is copied), e.g. "yyyy-MM-dd", "yyyy/MM/dd". */
  format(pattern = "yyyyMMdd"): string {
    return pattern
      .replace(/yyyy/g, pad(this.year, 4))
      .replace(/MM/g, pad(this.month, 2))
      .replace(/dd/g, pad(this.day, 2));
  }

  /** The canonical partition value and the string form used in ids and keys. */
  toString(): string { return this.format("yyyyMMdd"); }
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

export interface BizdateSettings {
  /** IANA time zone in which the job's cron is evaluated. */
  timezone: string;
  /** bizdate = scheduled calendar day (in `timezone`) + offset; -1 processes yesterday. */
  bizdateOffsetDays: number;
}

/** The one default rule: the scheduled instant's calendar day in the job's time zone, plus the offset. */
export function bizdateFor(scheduledAt: Date, settings: BizdateSettings): Bizdate {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-US", {
      timeZone: settings.timezone, year: "numeric", month: "2-digit", day: "2-digit",
    }).formatToParts(scheduledAt);
  } catch {
    throw new Error(`Time zone "${settings.timezone}" is unknown; use an IANA name such as Europe/Berlin.`);
  }
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  return Bizdate.fromParts(get("year"), get("month"), get("day")).addDays(settings.bizdateOffsetDays);
}

/** Every bizdate from `from` to `to`, both included; an inverted range is a user error. */
export function bizdateRange(from: Bizdate, to: Bizdate): Bizdate[] {
  if (to.compare(from) < 0) throw new Error(`The range ends (${to.toString()}) before it starts (${from.toString()}).`);
  return Array.from({ length: from.daysUntil(to) + 1 }, (_, i) => from.addDays(i));
}
