/**
 * `dlq list`, `dlq redrive`: queues with a RedrivePolicy and their dead-letter queues, through the SQS API.
 * Redrive uses StartMessageMoveTask (AWS's DLQ redrive; the local SQS emulator implements it too) with the
 * source queue as destination, then follows the task until it ends.
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import type { OpsContext } from "./context.js";
import { awsErrorName, NotFoundError, UsageError } from "./errors.js";
import { table } from "./format.js";

interface QueueInfo {
  name: string;
  url: string;
  arn: string;
  visible: number;
  inFlight: number;
  redrivePolicy?: { deadLetterTargetArn: string; maxReceiveCount: number };
}

export interface DlqPair {
  queue: string;
  depth: number;
  inFlight: number;
  dlq: string;
  dlqDepth: number;
  dlqInFlight: number;
  maxReceiveCount: number;
  queueUrl: string;
  dlqUrl?: string;
}

const nameOfArn = (arn: string) => arn.split(":").at(-1) ?? arn;

async function queueInfo(ctx: OpsContext, url: string): Promise<QueueInfo | undefined> {
  try {
    const { Attributes: a = {} } = await ctx.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: [
          "QueueArn",
          "ApproximateNumberOfMessages",
          "ApproximateNumberOfMessagesNotVisible",
          "RedrivePolicy",
        ],
      }),
    );
    const arn = a.QueueArn ?? "";
    const policy = a.RedrivePolicy ? (JSON.parse(a.RedrivePolicy) as Record<string, unknown>) : undefined;
    return {
      name: nameOfArn(arn) || (url.split("/").at(-1) ?? url),
      url,
      arn,
      visible: Number(a.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
      ...(policy && typeof policy.deadLetterTargetArn === "string"
        ? {
            redrivePolicy: {
              deadLetterTargetArn: policy.deadLetterTargetArn,
              maxReceiveCount: Number(policy.maxReceiveCount),
            },
          }
        : {}),
    };
  } catch (err) {
    // A queue deleted between ListQueues and here is simply gone.
    if (
      awsErrorName(err) === "QueueDoesNotExist" ||
      awsErrorName(err) === "AWS.SimpleQueueService.NonExistentQueue"
    )
      return undefined;
    throw err;
  }
}

async function allQueues(ctx: OpsContext, prefix?: string): Promise<QueueInfo[]> {
  const urls: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ctx.sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: prefix, NextToken, MaxResults: 1000 }),
    );
    urls.push(...(page.QueueUrls ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  const infos = await Promise.all(urls.map((u) => queueInfo(ctx, u)));
  return infos.filter((q): q is QueueInfo => q !== undefined);
}

/** Every queue that has a RedrivePolicy, paired with its DLQ (whose depth is read even outside the prefix). */
export async function dlqPairs(ctx: OpsContext, prefix?: string): Promise<DlqPair[]> {
  const queues = await allQueues(ctx, prefix);
  const byArn = new Map(queues.map((q) => [q.arn, q]));
  const pairs: DlqPair[] = [];
  for (const q of queues) {
    if (!q.redrivePolicy) continue;
    const dlqArn = q.redrivePolicy.deadLetterTargetArn;
    let dlq = byArn.get(dlqArn);
    if (!dlq) {
      const url = await urlOf(ctx, nameOfArn(dlqArn), accountOf(dlqArn));
      dlq = url ? await queueInfo(ctx, url) : undefined;
    }
    pairs.push({
      queue: q.name,
      depth: q.visible,
      inFlight: q.inFlight,
      dlq: nameOfArn(dlqArn),
      dlqDepth: dlq?.visible ?? 0,
      dlqInFlight: dlq?.inFlight ?? 0,
      maxReceiveCount: q.redrivePolicy.maxReceiveCount,
      queueUrl: q.url,
      ...(dlq ? { dlqUrl: dlq.url } : {}),
    });
  }
  return pairs.sort((a, b) => a.queue.localeCompare(b.queue));
}

const accountOf = (arn: string) => arn.split(":")[4];

async function urlOf(ctx: OpsContext, name: string, account?: string): Promise<string | undefined> {
  try {
    const { QueueUrl } = await ctx.sqs.send(
      new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }),
    );
    return QueueUrl;
  } catch (err) {
    if (
      awsErrorName(err) === "QueueDoesNotExist" ||
      awsErrorName(err) === "AWS.SimpleQueueService.NonExistentQueue"
    )
      return undefined;
    throw err;
  }
}

export async function dlqList(ctx: OpsContext, opts: { prefix?: string }): Promise<void> {
  const pairs = await dlqPairs(ctx, opts.prefix);
  ctx.print(pairs, () =>
    table(pairs, [
      { header: "QUEUE", value: (p) => p.queue },
      { header: "DEPTH", value: (p) => p.depth, right: true },
      { header: "IN FLIGHT", value: (p) => p.inFlight, right: true },
      { header: "DLQ", value: (p) => p.dlq },
      { header: "DLQ DEPTH", value: (p) => p.dlqDepth, right: true },
      { header: "MAX RECEIVES", value: (p) => p.maxReceiveCount, right: true },
    ]),
  );
}

const TERMINAL = new Set(["COMPLETED", "CANCELLED", "FAILED"]);

/**
 * Moves the messages of a DLQ back to its source queue. `queue` names either the source queue or its DLQ
 * (a DLQ that several queues share must be named by its source).
 */
export async function dlqRedrive(
  ctx: OpsContext,
  queue: string,
  opts: { wait: boolean; timeoutSeconds: number },
): Promise<void> {
  const pairs = await dlqPairs(ctx);
  const asSource = pairs.find((p) => p.queue === queue);
  const asDlq = pairs.filter((p) => p.dlq === queue);
  if (!asSource && asDlq.length > 1) {
    throw new UsageError(
      `${queue} is the DLQ of several queues (${asDlq.map((p) => p.queue).join(", ")}); name the source queue to redrive to`,
    );
  }
  const pair = asSource ?? asDlq[0];
  if (!pair) {
    const known = pairs.flatMap((p) => [p.queue, p.dlq]);
    const exists = (await urlOf(ctx, queue)) !== undefined;
    if (exists)
      throw new UsageError(
        `${queue} has no RedrivePolicy and is no queue's DLQ; queues with DLQs: ${known.join(", ")}`,
      );
    throw new NotFoundError(`No queue named "${queue}"; queues with DLQs: ${known.join(", ") || "(none)"}`);
  }
  if (!pair.dlqUrl) throw new NotFoundError(`The DLQ ${pair.dlq} of ${pair.queue} does not exist`);
  const [source, dlq] = await Promise.all([queueInfo(ctx, pair.queueUrl), queueInfo(ctx, pair.dlqUrl)]);
  if (!source || !dlq) throw new NotFoundError(`${pair.queue} or its DLQ ${pair.dlq} disappeared`);

  const { TaskHandle } = await ctx.sqs.send(
    new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: source.arn }),
  );
  ctx.verbose(`StartMessageMoveTask ${dlq.name} → ${source.name}: ${TaskHandle}`);

  let status = "RUNNING";
  let moved = 0;
  let failure: string | undefined;
  const deadline = Date.now() + opts.timeoutSeconds * 1000;
  while (opts.wait) {
    const { Results = [] } = await ctx.sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: dlq.arn, MaxResults: 10 }),
    );
    // The running task carries its handle; a finished one is the newest entry (AWS drops the handle then).
    const task = Results.find((r) => r.TaskHandle === TaskHandle) ?? Results[0];
    status = task?.Status ?? status;
    moved = task?.ApproximateNumberOfMessagesMoved ?? moved;
    failure = task?.FailureReason;
    if (TERMINAL.has(status) || Date.now() > deadline) break;
    await sleep(200);
  }
  const result = {
    queue: source.name,
    dlq: dlq.name,
    status,
    messagesMoved: moved,
    messagesToMove: dlq.visible,
    failureReason: failure,
  };
  ctx.print(result, () => {
    if (!opts.wait)
      return `Started moving ${dlq.visible} message(s) from ${dlq.name} to ${source.name} (task ${TaskHandle}).\n`;
    if (status === "COMPLETED") return `Moved ${moved} message(s) from ${dlq.name} back to ${source.name}.\n`;
    if (status === "RUNNING")
      return `Still moving after ${opts.timeoutSeconds}s: ${moved} of ~${dlq.visible} moved from ${dlq.name} to ${source.name}; it continues in the background.\n`;
    return `Move from ${dlq.name} to ${source.name} ended ${status}${failure ? ` (${failure})` : ""} after ${moved} message(s).\n`;
  });
  if (status === "FAILED") throw new Error(`Message move task failed: ${failure ?? "no reason given"}`);
}
