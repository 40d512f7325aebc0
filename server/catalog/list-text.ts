import { sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";

// Lists show the start of a description; the detail view shows all of it. A description may be 10,000
// characters, and a list page goes to every viewer: 50 rows of full descriptions would be megabytes.

export const LIST_DESCRIPTION_CHARS = 280;

/** The first LIST_DESCRIPTION_CHARS characters of a description column, cut in the database. */
export function listDescription(column: AnyPgColumn): SQL<string> {
  return sql<string>`left(${column}, ${sql.raw(String(LIST_DESCRIPTION_CHARS))})`;
}

/** The same cut for a description already read (lists that need the whole row anyway). */
export function shortDescription(text: string): string {
  // Code points, as Postgres's left() counts, so both lists cut at the same place.
  return text.length <= LIST_DESCRIPTION_CHARS ? text : Array.from(text).slice(0, LIST_DESCRIPTION_CHARS).join("");
}
