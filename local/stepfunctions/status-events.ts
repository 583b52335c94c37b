// "Step Functions Execution Status Change" events (source aws.states) put on the default bus through the edge,
// as AWS emits them for Standard workflows. Each event first goes into its execution's record (an outbox written
// with the status change itself), is put in order, and leaves the record once EventBridge accepted it: a crash in
// between sends it after the restart (at least once, as AWS). A put refused with a 5xx, throttled or unanswered
// is retried (AWS calls this delivery "best effort", but the service itself is not throttled by the caller's
// account: a dropped event there is rare, not one in forty under a 10% fault plan); one refused outright (e.g. no
// EventBridge behind the edge) or failing every attempt is logged and dropped; the execution carries on.
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { localClientConfig } from "../aws/client-config.js";
import type { ExecutionRecord, PendingStatusEvent } from "./model.js";

export const STATUS_CHANGE_DETAIL_TYPE = "Step Functions Execution Status Change";

const ATTEMPTS = 8;
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 2_000;
const THROTTLED = new Set(["ThrottlingException", "Throttling", "TooManyRequestsException"]);

export class StatusEvents {
  private client?: EventBridgeClient;
  private queue: Promise<void> = Promise.resolve();
  private lastWarning = "";
  private stopped = false;

  /** `changed(rec)`: the record's outbox changed, persist it. */
  constructor(
    private readonly edgeUrl: string,
    private readonly changed: (rec: ExecutionRecord) => void,
  ) {}

  /** Queues the event for the record's current status (in its outbox) and sends it. */
  emit(rec: ExecutionRecord): void {
    rec.pendingEvents ??= [];
    rec.pendingEvents.push({ time: rec.stopDate ?? Date.now(), detail: statusChangeDetail(rec) });
    this.changed(rec);
    this.send(rec);
  }

  /** Sends what a record's outbox still holds (after a restart). */
  send(rec: ExecutionRecord): void {
    if (!rec.pendingEvents?.length) return;
    this.queue = this.queue.then(() => this.drainRecord(rec));
  }

  /** Resolves once every event emitted so far was sent (or given up on). */
  drain(): Promise<void> {
    return this.queue;
  }

  /** Stops sending; what is still in outboxes stays there for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.queue;
    this.client?.destroy();
  }

  private async drainRecord(rec: ExecutionRecord): Promise<void> {
    while (!this.stopped && rec.pendingEvents?.length) {
      const event = rec.pendingEvents[0]!;
      const sent = await this.put(entryOf(rec, event));
      if (!sent && this.stopped) return;
      rec.pendingEvents.shift();
      if (rec.pendingEvents.length === 0) delete rec.pendingEvents;
      this.changed(rec);
    }
  }

  /** True once EventBridge accepted it; false when given up on (logged). */
  private async put(entry: PutEventsRequestEntry): Promise<boolean> {
    this.client ??= new EventBridgeClient({
      ...localClientConfig(this.edgeUrl),
      maxAttempts: 1,
      requestHandler: { requestTimeout: 5_000, connectionTimeout: 2_000 },
    });
    for (let attempt = 0; ; attempt++) {
      let problem: string;
      let retryable = false;
      try {
        const out = await this.client.send(new PutEventsCommand({ Entries: [entry] }));
        if (!out.FailedEntryCount) return true;
        problem = `PutEvents rejected the event: ${JSON.stringify(out.Entries)}`;
      } catch (err) {
        problem = `${(err as Error).name}: ${(err as Error).message}`;
        // Unreachable, failing or throttling edge: worth another try; another 4xx (no EventBridge there) is not.
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        retryable =
          status === undefined || status >= 500 || status === 429 || THROTTLED.has((err as Error).name);
      }
      if (this.stopped) return false;
      if (!retryable || attempt + 1 >= ATTEMPTS) {
        this.warn(problem);
        return false;
      }
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(BASE_DELAY_MS * 2 ** attempt, MAX_DELAY_MS)),
      );
    }
  }

  private warn(message: string): void {
    // Once per distinct problem: with no EventBridge behind the edge every execution would log the same line.
    if (message === this.lastWarning) return;
    this.lastWarning = message;
    console.warn(`[stepfunctions] could not emit "${STATUS_CHANGE_DETAIL_TYPE}" (dropped): ${message}`);
  }
}

function entryOf(rec: ExecutionRecord, event: PendingStatusEvent): PutEventsRequestEntry {
  return {
    Source: "aws.states",
    DetailType: STATUS_CHANGE_DETAIL_TYPE,
    EventBusName: "default",
    Resources: [rec.executionArn],
    Time: new Date(event.time),
    Detail: JSON.stringify(event.detail),
  };
}

export function statusChangeDetail(rec: ExecutionRecord): Record<string, unknown> {
  const closed = rec.status !== "RUNNING";
  return {
    executionArn: rec.executionArn,
    stateMachineArn: rec.stateMachineArn,
    name: rec.name,
    status: rec.status,
    startDate: rec.startDate,
    stopDate: rec.stopDate ?? null,
    input: rec.input,
    output: rec.output ?? null,
    inputDetails: { included: true },
    outputDetails: rec.output === undefined ? null : { included: true },
    error: rec.error ?? null,
    cause: rec.cause ?? null,
    redriveCount: rec.redriveCount,
    redriveDate: rec.redriveDate ?? null,
    redriveStatus: closed && rec.status !== "SUCCEEDED" ? "REDRIVABLE" : "NOT_REDRIVABLE",
    redriveStatusReason:
      closed && rec.status !== "SUCCEEDED" ? null : `Execution is ${rec.status} and cannot be redriven`,
  };
}
