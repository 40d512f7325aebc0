import { z } from "zod";
import { isTimeZone } from "../sql/time-zone";

// Text, name and time-zone primitives shared by every spec (catalog objects, dashboards, metric tasks).
// Kept apart from schemas.ts, which assembles the project file from those specs, so a spec module can use
// them without importing the project file's schema (that import would be circular).

// Field caps, so one spec cannot hold megabytes that every viewer of a list then downloads, and text
// Postgres cannot store (NUL, unpaired surrogates) is refused here with the field's name, not in SQL.
export const FIELD_LIMITS = { shortText: 256, description: 10_000, expression: 10_000, optionValue: 10_000, sql: 1_000_000 } as const;
 
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const storableText = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max.toLocaleString("en-US")} characters`)
    .refine((s) => !UNSTORABLE.test(s), "must not contain a NUL character or an unpaired surrogate");
export const Description = storableText(FIELD_LIMITS.description);
export const ShortText = storableText(FIELD_LIMITS.shortText);
export const Expression = storableText(FIELD_LIMITS.expression);
export const OptionText = storableText(FIELD_LIMITS.optionValue);
export const SqlText = storableText(FIELD_LIMITS.sql);

export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const Name = z
  .string()
  .min(1, "must not be empty")
  .max(128, "must be at most 128 characters")
  .regex(NAME_PATTERN, "must start with a letter or underscore and contain only letters, digits and underscores");
export type Name = z.infer<typeof Name>;

/** An IANA time zone (Asia/Shanghai, America/Los_Angeles), UTC, or a fixed offset such as GMT+08:00. */
export const TimeZone = z.string().max(256).refine(isTimeZone, "must be a time zone such as UTC, Asia/Shanghai or America/Los_Angeles");
