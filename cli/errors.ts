import { env } from "../server/env";
import { causeChain, describeDatabaseError } from "../server/errors";

// What the CLI prints for a failure: one sentence, never a query's SQL text and parameters (a driver error
// carries both), never a stack trace unless TANDEM_LOG_LEVEL=debug.

const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH"]);
const LOST = /Connection terminated|connection closed|terminating connection/i;

export function userMessage(e: unknown): string {
  const database = describeDatabaseError(e);
  if (database) return database;
  const connectionLost = causeChain(e).some((c) => {
    const { code, message } = c as { code?: unknown; message?: unknown };
    return (typeof code === "string" && NETWORK.has(code)) || (typeof message === "string" && LOST.test(message));
  });
  if (connectionLost) {
    return "The connection to Tandem's database was lost (was `tandem dev` stopped?). Start it again, or set DATABASE_URL, and retry; nothing more was written.";
  }
  if (e instanceof Error) {
    // A failed query's message is "Failed query: <sql> params: <values>"; its cause says what went wrong.
    if (e.message.startsWith("Failed query:") && e.cause instanceof Error) return e.cause.message;
    return e.message;
  }
  return String(e);
}

export function debugLogging(): boolean {
  try {
    return env().TANDEM_LOG_LEVEL === "debug";
  } catch {
    return false; // an invalid environment is itself the error being reported
  }
}
