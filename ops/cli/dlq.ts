/**
 * `dlq list`, `dlq redrive`: queues with a RedrivePolicy and their dead-letter queues (read through
 * ops/read/queues.ts).
 * Redrive uses StartMessageMoveTask (AWS's DLQ redrive; the local SQS emulator implements it too) with the
 * source queue as destination, then follows the task until it ends.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { StartMessageMoveTaskCommand } from "@aws-sdk/client-sqs";
import { moveTasks, queueUrlOf, readQueue, readQueues } from "../read/queues.js";
import type { OpsContext } from "./context.js";
import { NotFoundError, UsageError } from "./errors.js";
import { table } from "./format.js";

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

/** Every queue that has a RedrivePolicy, paired with its DLQ (whose depth is read even outside the prefix). */
export async function dlqPairs(ctx: OpsContext, prefix?: string): Promise<DlqPair[]> {
  const queues = await readQueues(ctx.sqs, prefix);
  const byArn = new Map(queues.map((q) => [q.arn, q]));
  const pairs: DlqPair[] = [];
  for (const q of queues) {
    if (!q.deadLetterQueue) continue;
    const { arn: dlqArn, name: dlqName, maxReceiveCount } = q.deadLetterQueue;
    let dlq = byArn.get(dlqArn);
    if (!dlq) {
      const url = await queueUrlOf(ctx.sqs, dlqName, accountOf(dlqArn));
      dlq = url ? await readQueue(ctx.sqs, url) : undefined;
    }
    pairs.push({
      queue: q.name,
      depth: q.visible,
      inFlight: q.inFlight,
      dlq: dlqName,
      dlqDepth: dlq?.visible ?? 0,
      dlqInFlight: dlq?.inFlight ?? 0,
      maxReceiveCount,
      queueUrl: q.url,
      ...(dlq ? { dlqUrl: dlq.url } : {}),
    });
  }
  return pairs;
}

const accountOf = (arn: string) => arn.split(":")[4];

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
    const exists = (await queueUrlOf(ctx.sqs, queue)) !== undefined;
    if (exists)
      throw new UsageError(
        `${queue} has no RedrivePolicy and is no queue's DLQ; queues with DLQs: ${known.join(", ")}`,
      );
    throw new NotFoundError(`No queue named "${queue}"; queues with DLQs: ${known.join(", ") || "(none)"}`);
  }
  if (!pair.dlqUrl) throw new NotFoundError(`The DLQ ${pair.dlq} of ${pair.queue} does not exist`);
  const [source, dlq] = await Promise.all([
    readQueue(ctx.sqs, pair.queueUrl),
    readQueue(ctx.sqs, pair.dlqUrl),
  ]);
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
    const tasks = await moveTasks(ctx.sqs, dlq.arn);
    // The running task carries its handle; a finished one is the newest entry (AWS drops the handle then).
    const task = tasks.find((r) => r.TaskHandle === TaskHandle) ?? tasks[0];
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
