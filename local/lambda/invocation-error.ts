/**
 * A handler's error across a thread boundary. Structured clone keeps only a built-in error's class, message
 * and stack: a custom `name` ("PipelineFailed", "Sandbox.Timedout", an SDK exception's) would arrive as "Error",
 * and Step Functions' Retry and Catch match on that name. So the error crosses as plain fields and is rebuilt.
 */

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** Own enumerable fields that survive structured clone (an SDK error's `$metadata`, `$fault`, …). */
  fields: Record<string, unknown>;
  cause?: SerializedError;
}

export function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: "Error", message: String(err), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(err)) {
    if (key === "name" || key === "message" || key === "stack" || key === "cause") continue;
    try {
      fields[key] = structuredClone(value);
    } catch {
      // A function or another uncloneable value: Lambda would not report it either.
    }
  }
  const out: SerializedError = { name: err.name, message: err.message, stack: err.stack, fields };
  if (err.cause !== undefined) out.cause = serializeError(err.cause);
  return out;
}

export function reviveError(s: SerializedError): Error {
  const err = new Error(s.message, s.cause ? { cause: reviveError(s.cause) } : undefined);
  Object.assign(err, s.fields);
  err.name = s.name;
  if (s.stack !== undefined) err.stack = s.stack;
  return err;
}
