// What a user may read of an error. Database driver errors quote the SQL and its parameters (which may
// hold secrets or megabytes of text): users get one sentence, the server log keeps the cause.

const DATABASE_ERROR = /^Failed query:|\bparams:|\bINSERT INTO\b|\bUPDATE\s+"|\bSELECT\s+.*\bFROM\s+"/s;

export function userMessageOf(error: unknown, log: (line: string, cause: unknown) => void = console.error): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!DATABASE_ERROR.test(message)) return message;
  log("database error:", error);
  return "The database refused the operation; the details are in the server log.";
}
