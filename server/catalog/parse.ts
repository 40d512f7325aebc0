import type { z } from "zod";
import { ValidationError } from "../errors";

/** Parses API input with a catalog schema; issues carry the path under `prefix`. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, prefix: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(parsed.error.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].join("."), message: i.message })));
  }
  return parsed.data;
}
