// Execution history in AWS's shape: sequential ids, a causal previousEventId, `<type>EventDetails` objects.
import type { ExecutionRecord, HistoryEventRecord } from "./model.js";

/** AWS names the details object after the event type, except the per-state-type Entered/Exited events. */
export function detailsKeyOf(type: string): string {
  if (type.endsWith("StateEntered")) return "stateEnteredEventDetails";
  if (type.endsWith("StateExited")) return "stateExitedEventDetails";
  return `${type[0]?.toLowerCase()}${type.slice(1)}EventDetails`;
}

export function lastEventId(rec: ExecutionRecord): number {
  return rec.history.at(-1)?.id ?? 0;
}

/** Appends one event; `previousEventId` defaults to the last event. Returns the new event's id. */
export function appendEvent(
  rec: ExecutionRecord,
  type: string,
  details?: Record<string, unknown>,
  previousEventId?: number,
): number {
  const id = lastEventId(rec) + 1;
  const event: HistoryEventRecord = {
    timestamp: Date.now(),
    type,
    id,
    previousEventId: previousEventId ?? id - 1,
  };
  if (details) event[detailsKeyOf(type)] = dropUndefined(details);
  rec.history.push(event);
  return id;
}

/** `input`/`output` fields as AWS writes them: a JSON string plus `{truncated: false}` details. */
export function json(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value);
}

export const NOT_TRUNCATED = { truncated: false } as const;

const DATA_FIELDS = new Set(["input", "output", "inputDetails", "outputDetails"]);

/** The event as GetExecutionHistory returns it (timestamp in epoch seconds; execution data optionally left out). */
export function presentEvent(
  event: HistoryEventRecord,
  includeExecutionData: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === "timestamp") out.timestamp = event.timestamp / 1000;
    else if (!includeExecutionData && key.endsWith("EventDetails") && value && typeof value === "object") {
      out[key] = Object.fromEntries(Object.entries(value).filter(([k]) => !DATA_FIELDS.has(k)));
    } else out[key] = value;
  }
  return out;
}

function dropUndefined(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}
