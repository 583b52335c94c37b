/**
 * A local-only count of the AWS calls that pass through the edge, by service, operation and, for DynamoDB and
 * SQS, the table or queue (`dynamodb Query embark-tenants`), for PutEvents the events' source, served at `GET /_embark/calls` (`DELETE` resets it). Benchmarks and tests use it to prove what a piece of
 * code reads and writes (e.g. that a reconcile pass where nothing drifted writes nothing). Not an AWS API.
 */
import type { IncomingMessage } from "node:http";

export interface CallCounts {
  total: number;
  /** `<service> <Operation>[ <table or queue>]` → calls. */
  operations: Record<string, number>;
}

export class CallCounter {
  private readonly counts = new Map<string, number>();

  count(service: string, req: IncomingMessage, body: Buffer): void {
    const resource = resourceOf(req, body);
    const key = `${service} ${operationOf(service, req, body)}${resource ? ` ${resource}` : ""}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  snapshot(): CallCounts {
    const operations = Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
    return { total: [...this.counts.values()].reduce((a, b) => a + b, 0), operations };
  }

  reset(): void {
    this.counts.clear();
  }
}

/** The operation a request calls: its X-Amz-Target, its query-protocol Action, or a REST API's route. */
export function operationOf(service: string, req: IncomingMessage, body: Buffer): string {
  const target = req.headers["x-amz-target"];
  if (typeof target === "string" && target.includes(".")) return target.split(".").at(-1)!;
  const url = new URL(req.url ?? "/", "http://edge");
  const action = url.searchParams.get("Action") ?? formAction(req, body);
  if (action) return action;
  const method = req.method ?? "GET";
  const path = url.pathname;
  if (service === "scheduler") {
    if (/^\/schedules\/?$/.test(path)) return "ListSchedules";
    return (
      (
        {
          POST: "CreateSchedule",
          PUT: "UpdateSchedule",
          GET: "GetSchedule",
          DELETE: "DeleteSchedule",
        } as const
      )[method as "POST"] ?? `${method} ${path}`
    );
  }
  if (service === "lambda") {
    if (path.endsWith("/invocations")) return "Invoke";
    return /\/functions\/?$/.test(path) ? "ListFunctions" : "GetFunction";
  }
  return `${method} ${path}`;
}

/** The table or queue a DynamoDB or SQS call names (JSON or query protocol). */
function resourceOf(req: IncomingMessage, body: Buffer): string | undefined {
  const type = String(req.headers["content-type"] ?? "");
  let fields: Record<string, unknown> = {};
  try {
    if (type.includes("json") && body.length > 0) fields = JSON.parse(body.toString("utf8"));
    else if (type.startsWith("application/x-www-form-urlencoded"))
      fields = Object.fromEntries(new URLSearchParams(body.toString("utf8")));
  } catch {
    return undefined;
  }
  if (typeof fields.TableName === "string") return fields.TableName;
  if (typeof fields.QueueUrl === "string") return fields.QueueUrl.split("/").at(-1);
  // PutEvents: who the events claim to come from (`aws.states` is Step Functions' own status events).
  if (Array.isArray(fields.Entries)) {
    const sources = new Set(fields.Entries.map((e) => (e as { Source?: unknown }).Source).map(String));
    return [...sources].sort().join(",");
  }
  return undefined;
}

function formAction(req: IncomingMessage, body: Buffer): string | undefined {
  const type = String(req.headers["content-type"] ?? "");
  if (!type.startsWith("application/x-www-form-urlencoded")) return undefined;
  return new URLSearchParams(body.toString("utf8")).get("Action") ?? undefined;
}

/** Operations that change nothing (by AWS's naming), so a count can be split into reads and writes. */
export function isReadOnly(operation: string): boolean {
  return /^(Get|Describe|List|Query|Scan|BatchGet|Lookup|Test)/.test(operation);
}

/** The edge's counts, read over HTTP (for tests and benchmarks in another process). */
export async function readCalls(edgeUrl: string): Promise<CallCounts> {
  const res = await fetch(`${edgeUrl}/_embark/calls`);
  if (!res.ok) throw new Error(`GET /_embark/calls: HTTP ${res.status}`);
  return (await res.json()) as CallCounts;
}

export async function resetCalls(edgeUrl: string): Promise<void> {
  const res = await fetch(`${edgeUrl}/_embark/calls`, { method: "DELETE" });
  if (!res.ok) throw new Error(`DELETE /_embark/calls: HTTP ${res.status}`);
}

/** The writes among counts: every operation that is not read-only. */
export function writesOf(counts: CallCounts): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts.operations).filter(([key]) => !isReadOnly(key.split(" ")[1] ?? "")),
  );
}
