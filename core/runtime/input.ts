/**
 * Input a function did not make itself (a Task's payload, an EventBridge event, a queue message) is parsed at
 * the boundary, and what does not fit is refused with one precise, bounded message naming each bad field. The
 * error's name is `ValidationError`: the workflows' Retry leaves it alone, so a Task fails at once with it.
 */
import type * as z from "zod";
import { StepError } from "../workflow/retry.js";

const MAX_MESSAGE = 500;

/** `path: message` per issue (the path left out when the message already names it), joined, bounded. */
export function issuesText(issues: readonly z.core.$ZodIssue[]): string {
  const text = issues
    .map((i) => {
      const path = i.path.map(String).join(".");
      return path && !i.message.startsWith(path) ? `${path}: ${i.message}` : i.message;
    })
    .join("; ");
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

/** Why `value` does not fit `schema` (`what` names it: "Input of reserve-tenant"), or its parsed value. */
export function checkInput<T>(
  schema: z.ZodType<T>,
  value: unknown,
  what: string,
): { ok: true; value: T } | { ok: false; reason: string } {
  const parsed = schema.safeParse(value);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, reason: `${what} is invalid: ${issuesText(parsed.error.issues)}` };
}

/** The parsed value, or a ValidationError saying precisely what is wrong. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const checked = checkInput(schema, value, what);
  if (!checked.ok) throw new StepError("ValidationError", checked.reason);
  return checked.value;
}

/** JSON text parsed, or undefined when it is not JSON. */
export function jsonOrUndefined(text: string | null | undefined): unknown {
  if (text === null || text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
