/**
 * Everything the console shows, read through the AWS APIs of the local cloud with the real AWS SDK v3 pointed
 * at the edge (as the AWS consoles read AWS): DynamoDB through core's TenantStore, Step Functions, SQS, and
 * the mail the local SES accepted (LocalStack-style /_aws/ses). No in-process state of the emulators is used,
 * so the console shows what an operator would see with the AWS console or CLI.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionListItem,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SFNClient,
  type StateMachineListItem,
} from "@aws-sdk/client-sfn";
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  ListQueuesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoTenantStore } from "../../core/adapters/tenant-store.js";
import type { TenantStore } from "../../core/tenant/store.js";
import { localClientConfig } from "../../local/aws/client-config.js";

export interface ConsoleSettings {
  /** The local cloud's AWS edge endpoint. */
  edgeUrl: string;
  /** The tenants table (TenantStore). */
  tenantsTable: string;
}

export interface QueueInfo {
  name: string;
  url: string;
  arn: string;
  visible: number;
  inFlight: number;
  delayed: number;
  /** The DLQ this queue sends to, and after how many receives. */
  deadLetterQueue?: { name: string; arn: string; maxReceiveCount: number };
  /** Queues that use this one as their DLQ. */
  sourceQueues: string[];
  attributes: Record<string, string>;
}

export interface MailMessage {
  messageId: string;
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  html?: string;
  text?: string;
  at: Date;
}

/** How many executions per state machine a list page reads (ListExecutions pages of 100). */
const MAX_EXECUTIONS_PER_MACHINE = 500;

export class ConsoleAws {
  readonly sfn: SFNClient;
  readonly sqs: SQSClient;
  readonly tenants: TenantStore;

  constructor(readonly settings: ConsoleSettings) {
    const config = localClientConfig(settings.edgeUrl);
    this.sfn = new SFNClient(config);
    this.sqs = new SQSClient(config);
    const db = DynamoDBDocumentClient.from(new DynamoDBClient(config), {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tenants = new DynamoTenantStore(db, settings.tenantsTable);
  }

  // ------------------------------------------------------------------------------------------ Step Functions

  async stateMachines(): Promise<StateMachineListItem[]> {
    const all: StateMachineListItem[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.sfn.send(new ListStateMachinesCommand({ nextToken }));
      all.push(...(page.stateMachines ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return all.sort((a, b) => (a.name ?? "").localeCompare(b.name ?? ""));
  }

  /** Executions of every state machine (or one), newest first. */
  async executions(
    filter: { stateMachineArn?: string; status?: ExecutionStatus } = {},
  ): Promise<ExecutionListItem[]> {
    const machines = filter.stateMachineArn
      ? [filter.stateMachineArn]
      : (await this.stateMachines()).flatMap((m) => (m.stateMachineArn ? [m.stateMachineArn] : []));
    const lists = await Promise.all(
      machines.map(async (stateMachineArn) => {
        const out: ExecutionListItem[] = [];
        let nextToken: string | undefined;
        do {
          const page = await this.sfn.send(
            new ListExecutionsCommand({
              stateMachineArn,
              statusFilter: filter.status,
              maxResults: 100,
              nextToken,
            }),
          );
          out.push(...(page.executions ?? []));
          nextToken = page.nextToken;
        } while (nextToken && out.length < MAX_EXECUTIONS_PER_MACHINE);
        return out;
      }),
    );
    return lists.flat().sort((a, b) => (b.startDate?.getTime() ?? 0) - (a.startDate?.getTime() ?? 0));
  }

  describeExecution(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    return this.sfn.send(new DescribeExecutionCommand({ executionArn }));
  }

  async history(executionArn: string): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.sfn.send(
        new GetExecutionHistoryCommand({
          executionArn,
          maxResults: 1000,
          includeExecutionData: true,
          nextToken,
        }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return events;
  }

  async redrive(executionArn: string): Promise<Date | undefined> {
    const out = await this.sfn.send(new RedriveExecutionCommand({ executionArn }));
    return out.redriveDate;
  }

  // ------------------------------------------------------------------------------------------------- SQS

  async queues(): Promise<QueueInfo[]> {
    const urls: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.sqs.send(new ListQueuesCommand({ MaxResults: 1000, NextToken }));
      urls.push(...(page.QueueUrls ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    const infos = await Promise.all(urls.map((url) => this.queueAt(url)));
    for (const q of infos) {
      q.sourceQueues = infos.filter((s) => s.deadLetterQueue?.arn === q.arn).map((s) => s.name);
    }
    return infos.sort((a, b) => a.name.localeCompare(b.name));
  }

  async queue(name: string): Promise<QueueInfo> {
    const { QueueUrl } = await this.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (!QueueUrl) throw new Error(`GetQueueUrl returned no URL for ${name}`);
    const info = await this.queueAt(QueueUrl);
    const sources = await this.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl }));
    info.sourceQueues = (sources.queueUrls ?? []).map(nameOfQueueUrl);
    return info;
  }

  /**
   * Looks at up to `max` messages without consuming them: received with a visibility timeout of 0 so they
   * stay available to consumers and to a redrive (each look still counts as a receive, as in the AWS console).
   */
  async peek(queueUrl: string, max = 10): Promise<Message[]> {
    const seen = new Map<string, Message>();
    for (let round = 0; round < 3 && seen.size < max; round++) {
      const out = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, max),
          VisibilityTimeout: 0,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ["All"],
          // The older spelling too: some SQS implementations (local-aws-sqs among them) read only this one.
          AttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        }),
      );
      const before = seen.size;
      for (const m of out.Messages ?? []) if (m.MessageId && !seen.has(m.MessageId)) seen.set(m.MessageId, m);
      if (seen.size === before) break;
    }
    return [...seen.values()].slice(0, max);
  }

  /**
   * Moves a DLQ's messages back with SQS's own DLQ redrive. Without a destination SQS returns each message to
   * the queue it was dead-lettered from, and fails with CouldNotDetermineMessageSource for messages that were
   * sent to the DLQ directly; naming the destination (the DLQ's only source queue) moves those too.
   */
  async redriveDlq(dlqArn: string, destinationArn?: string): Promise<string | undefined> {
    const out = await this.sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: dlqArn,
        ...(destinationArn ? { DestinationArn: destinationArn } : {}),
      }),
    );
    return out.TaskHandle;
  }

  async moveTasks(dlqArn: string): Promise<ListMessageMoveTasksResultEntry[]> {
    const out = await this.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 10 }));
    return out.Results ?? [];
  }

  private async queueAt(url: string): Promise<QueueInfo> {
    const out = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }),
    );
    const Attributes: Record<string, string> = { ...out.Attributes };
    const num = (k: string) => Number(Attributes[k] ?? 0);
    let deadLetterQueue: QueueInfo["deadLetterQueue"];
    if (Attributes.RedrivePolicy) {
      try {
        const policy = JSON.parse(Attributes.RedrivePolicy) as {
          deadLetterTargetArn?: string;
          maxReceiveCount?: number;
        };
        if (policy.deadLetterTargetArn) {
          deadLetterQueue = {
            arn: policy.deadLetterTargetArn,
            name: policy.deadLetterTargetArn.split(":").at(-1) ?? policy.deadLetterTargetArn,
            maxReceiveCount: Number(policy.maxReceiveCount ?? 0),
          };
        }
      } catch {
        // A malformed policy is shown as an attribute only.
      }
    }
    return {
      name: nameOfQueueUrl(url),
      url,
      arn: Attributes.QueueArn ?? "",
      visible: num("ApproximateNumberOfMessages"),
      inFlight: num("ApproximateNumberOfMessagesNotVisible"),
      delayed: num("ApproximateNumberOfMessagesDelayed"),
      deadLetterQueue,
      sourceQueues: [],
      attributes: Attributes,
    };
  }

  // ------------------------------------------------------------------------------------------------- SES

  /** Mail the local SES accepted, newest first (GET /_aws/ses on the edge, as LocalStack serves it). */
  async mail(): Promise<MailMessage[]> {
    const res = await fetch(`${this.settings.edgeUrl}/_aws/ses`);
    if (!res.ok) throw new Error(`GET /_aws/ses answered ${res.status}`);
    const store = (await res.json()) as { emails?: Array<Record<string, unknown>> };
    return (store.emails ?? [])
      .map((e): MailMessage => {
        const destination = (e.destination ?? {}) as { to?: unknown; cc?: unknown };
        const body = (e.body ?? {}) as { html?: unknown; text?: unknown };
        const at = typeof e.at === "number" ? e.at : 0;
        return {
          messageId: String(e.messageId ?? ""),
          from: String(e.from ?? ""),
          to: list(destination.to),
          cc: list(destination.cc),
          subject: String(e.subject ?? ""),
          ...(typeof body.html === "string" ? { html: body.html } : {}),
          ...(typeof body.text === "string" ? { text: body.text } : {}),
          // aws-ses-v2-local stamps seconds; tolerate milliseconds.
          at: new Date(at < 1e12 ? at * 1000 : at),
        };
      })
      .reverse();
  }
}

export function nameOfQueueUrl(url: string): string {
  return url.split("/").filter(Boolean).at(-1) ?? url;
}

function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  return typeof v === "string" && v ? [v] : [];
}
