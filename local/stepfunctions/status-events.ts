// "Step Functions Execution Status Change" events (source aws.states) put on the default bus through the edge,
// as AWS emits them for Standard workflows. Best effort, in order: a failure (e.g. no EventBridge service
// behind the edge) is logged and the execution carries on.
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { localClientConfig } from "../aws/client-config.js";
import type { ExecutionRecord } from "./model.js";

export const STATUS_CHANGE_DETAIL_TYPE = "Step Functions Execution Status Change";

export class StatusEvents {
  private client?: EventBridgeClient;
  private queue: Promise<void> = Promise.resolve();
  private lastWarning = "";

  constructor(private readonly edgeUrl: string) {}

  emit(rec: ExecutionRecord): void {
    const entry: PutEventsRequestEntry = {
      Source: "aws.states",
      DetailType: STATUS_CHANGE_DETAIL_TYPE,
      EventBusName: "default",
      Resources: [rec.executionArn],
      Time: new Date(rec.stopDate ?? Date.now()),
      Detail: JSON.stringify(statusChangeDetail(rec)),
    };
    this.queue = this.queue.then(() => this.put(entry));
  }

  /** Resolves once every event emitted so far was sent (or given up on). */
  drain(): Promise<void> {
    return this.queue;
  }

  private async put(entry: PutEventsRequestEntry): Promise<void> {
    this.client ??= new EventBridgeClient({
      ...localClientConfig(this.edgeUrl),
      maxAttempts: 1,
      requestHandler: { requestTimeout: 5_000, connectionTimeout: 2_000 },
    });
    try {
      const out = await this.client.send(new PutEventsCommand({ Entries: [entry] }));
      if (out.FailedEntryCount) this.warn(`PutEvents rejected the event: ${JSON.stringify(out.Entries)}`);
    } catch (err) {
      this.warn(`${(err as Error).name}: ${(err as Error).message}`);
    }
  }

  private warn(message: string): void {
    // Once per distinct problem: with no EventBridge behind the edge every execution would log the same line.
    if (message === this.lastWarning) return;
    this.lastWarning = message;
    console.warn(`[stepfunctions] could not emit "${STATUS_CHANGE_DETAIL_TYPE}" (continuing): ${message}`);
  }
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
