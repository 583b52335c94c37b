/**
 * Local SQS, durable: the JSON protocol (what AWS SDK v3 and the AWS CLI here speak), served on the edge for
 * SigV4 service "sqs". State lives in `<stateDir>/sqs` as a journal plus snapshot (local/aws/journal.ts); a
 * call that changes state (SendMessage, ReceiveMessage, DeleteMessage, ChangeMessageVisibility, …) is answered
 * only once its record is fsync'd, so a kill at any moment loses nothing a caller was told had happened.
 *
 * Copies AWS: queue attributes and their limits, RedrivePolicy (a message received maxReceiveCount times
 * moves to the DLQ when its visibility timeout ends, keeping its id, with DeadLetterQueueSourceArn), message
 * attributes and their MD5, per-message and queue delays, visibility timeouts (in-flight messages come back
 * at their deadline, across restarts too), ApproximateReceiveCount, only the latest receipt handle deletes,
 * long polling, retention, FIFO queues (group order, a group blocked while a message of it is in flight,
 * 5-minute deduplication, content-based dedup, sequence numbers), DLQ redrive (StartMessageMoveTask,
 * ListMessageMoveTasks, CancelMessageMoveTask), ListDeadLetterSourceQueues, tags, and AWS's error codes
 * (`__type` plus the `x-amzn-query-error` code the SDK reads).
 *
 * Gaps: no query (XML) protocol; no AddPermission/RemovePermission, no policy or KMS enforcement; no 60 s
 * waits after DeleteQueue/PurgeQueue; ReceiveRequestAttemptId is ignored; FifoThroughputLimit and fair
 * queues have no effect; the DLQ move happens by timer at the end of the last visibility timeout (AWS does it
 * when the message would next be received: the same for a consumer, sooner in the DLQ's counts).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { AwsError } from "../aws/errors.js";
import { Journal } from "../aws/journal.js";
import type { HttpService } from "../aws/json-service.js";
import { COMPUTED, checkAttributes, DEFAULTS, FIFO_DEFAULTS, READABLE, redriveOf } from "./attributes.js";
import {
  batchErrors,
  invalidAttributeName,
  invalidParameter,
  missingParameter,
  queueDoesNotExist,
  receiptHandleIsInvalid,
  SqsError,
} from "./errors.js";
import { checkBody, checkMessageAttributes, md5, md5OfAttributes, received, sha256 } from "./messages.js";
import {
  apply,
  DEDUP_WINDOW_MS,
  dedupKey,
  fromSnapshot,
  type MoveTask,
  type Queue,
  type SqsRecord,
  type SqsSnapshot,
  type StoredMessage,
  toSnapshot,
} from "./model.js";

export interface SqsServiceOptions {
  /** Where the journal and snapshot live. */
  dir: string;
  /** Queue URLs start with this (the edge URL). */
  baseUrl: string;
  region: string;
  accountId: string;
  /** Default true; false fsyncs each record on its own (for benchmarks). */
  groupCommit?: boolean;
}

export interface LocalSqs extends HttpService {
  readonly signingName: "sqs";
  /** Runs one JSON-protocol operation (what handleHttp does after parsing). */
  call(operation: string, input: Record<string, unknown>): Promise<unknown>;
  stop(): Promise<void>;
}

type Input = Record<string, unknown>;

const LONG_POLL_TICK_MS = 100;
const MOVE_TASK_RATE = 500;

export async function createSqsService(opts: SqsServiceOptions): Promise<LocalSqs> {
  const { region, accountId } = opts;
  const loaded = await Journal.load<SqsRecord, SqsSnapshot>(opts.dir, { groupCommit: opts.groupCommit });
  const state = fromSnapshot(loaded.snapshot);
  for (const r of loaded.records) apply(state, r);
  const journal = loaded.journal;
  await journal.start(() => toSnapshot(state));

  const waiters = new Map<string, Set<() => void>>();
  const sweeps = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  const runningTasks = new Set<Promise<void>>();
  let stopping = false;

  const arnOf = (name: string) => `arn:aws:sqs:${region}:${accountId}:${name}`;
  const urlOf = (name: string) => `${opts.baseUrl}/${accountId}/${name}`;
  const isFifo = (q: Queue) => q.name.endsWith(".fifo");
  const attr = (q: Queue, name: string) =>
    q.attributes[name] ?? (isFifo(q) ? FIFO_DEFAULTS[name] : undefined) ?? DEFAULTS[name];

  function queueOfArn(arn: string): Queue | undefined {
    const parts = arn.split(":");
    if (parts.length !== 6 || parts[2] !== "sqs" || parts[4] !== accountId) return undefined;
    return state.queues.get(parts[5] ?? "");
  }

  /** Applies records, journals them, wakes long polls; resolves once they are on disk. */
  function commit(records: SqsRecord[]): Promise<void> {
    const written: Promise<void>[] = [];
    for (const r of records) {
      apply(state, r);
      written.push(journal.append(r));
      const name = r.op === "move" ? r.to : r.op === "task" ? undefined : r.name;
      if (name) for (const wake of waiters.get(name) ?? []) wake();
    }
    return Promise.all(written).then(() => undefined);
  }

  // ---- input helpers ----
  function str(input: Input, name: string, required: true): string;
  function str(input: Input, name: string, required?: false): string | undefined;
  function str(input: Input, name: string, required = false): string | undefined {
    const v = input[name];
    if (v === undefined || v === null) {
      if (required) throw missingParameter(name);
      return undefined;
    }
    if (typeof v !== "string") throw invalidParameter(`Value for parameter ${name} must be a string.`);
    return v;
  }
  function int(input: Input, name: string, min: number, max: number): number | undefined {
    const v = input[name];
    if (v === undefined || v === null) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw invalidParameter(
        `Value ${String(v)} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}, if provided.`,
      );
    }
    return n;
  }
  function names(input: Input, name: string): string[] {
    const v = input[name];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
      throw invalidParameter(`Value for parameter ${name} must be a list of strings.`);
    }
    return v as string[];
  }
  function queueOf(input: Input): Queue {
    const url = str(input, "QueueUrl", true);
    const path = url
      .replace(/^https?:\/\/[^/]+/, "")
      .split("/")
      .filter(Boolean);
    const name = path.at(-1) ?? "";
    const account = path.at(-2);
    if (account !== undefined && account !== accountId) throw queueDoesNotExist();
    const q = state.queues.get(name);
    if (!q) throw queueDoesNotExist();
    return q;
  }
  function batchEntries<T extends { Id?: unknown }>(input: Input, entry: string): T[] {
    const entries = input.Entries;
    if (entries !== undefined && !Array.isArray(entries)) throw invalidParameter("Entries must be a list.");
    const list = (entries ?? []) as T[];
    if (list.length === 0) throw batchErrors.empty(entry);
    if (list.length > 10) throw batchErrors.tooMany(list.length);
    const seen = new Set<string>();
    for (const e of list) {
      const id = e?.Id;
      if (typeof id !== "string" || !/^[\w-]{1,80}$/.test(id)) throw batchErrors.invalidId(String(id));
      if (seen.has(id)) throw batchErrors.notDistinct(id);
      seen.add(id);
    }
    return list;
  }
  const failure = (id: string, err: unknown) => {
    if (!(err instanceof AwsError)) throw err;
    return { Id: id, SenderFault: true, Code: err.code, Message: err.message };
  };

  // ---- counts, DLQ moves, retention ----
  const expired = (q: Queue, m: StoredMessage, now: number) =>
    m.sentAt + Number(attr(q, "MessageRetentionPeriod")) * 1000 <= now;

  function dlqOf(q: Queue): { dlq: Queue; max: number } | undefined {
    const policy = redriveOf(q.attributes);
    const dlq = policy ? queueOfArn(policy.dlqArn) : undefined;
    return policy && dlq && dlq !== q ? { dlq, max: policy.max } : undefined;
  }

  /** Moves to the DLQ every visible message received maxReceiveCount times; schedules the next such moment. */
  function sweep(q: Queue): void {
    const entry = sweeps.get(q.name);
    if (entry) clearTimeout(entry.timer);
    sweeps.delete(q.name);
    const redrive = dlqOf(q);
    if (!redrive || stopping || state.queues.get(q.name) !== q) return;
    const now = Date.now();
    const moves: SqsRecord[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const m of q.messages.values()) {
      if (m.receiveCount < redrive.max) continue;
      if (m.visibleAt <= now) moves.push(moveToDlq(q, redrive.dlq, m, now));
      else next = Math.min(next, m.visibleAt);
    }
    if (moves.length > 0) {
      commit(moves).catch((err) => console.error(`[sqs] moving messages of ${q.name} to its DLQ:`, err));
    }
    if (next !== Number.POSITIVE_INFINITY) {
      const timer = setTimeout(() => sweep(q), Math.max(0, next - now) + 5);
      timer.unref();
      sweeps.set(q.name, { at: next, timer });
    }
  }

  function moveToDlq(q: Queue, dlq: Queue, m: StoredMessage, now: number): SqsRecord {
    return { op: "move", from: q.name, to: dlq.name, id: m.id, at: now, deadLetterSourceArn: arnOf(q.name) };
  }

  function counts(q: Queue): Record<string, string> {
    const now = Date.now();
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of q.messages.values()) {
      if (expired(q, m, now)) continue;
      if (m.visibleAt <= now) visible++;
      else if (m.receipt !== undefined) inFlight++;
      else delayed++;
    }
    return {
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(inFlight),
      ApproximateNumberOfMessagesDelayed: String(delayed),
    };
  }

  // ---- receipt handles ----
  const newReceipt = (id: string) => Buffer.from(`${id}:${randomUUID()}`).toString("base64url");
  function messageOfReceipt(q: Queue, handle: unknown): StoredMessage | undefined {
    if (typeof handle !== "string" || handle === "") throw missingParameter("ReceiptHandle");
    const decoded = Buffer.from(handle, "base64url").toString("utf8");
    const m = /^([\w-]+):[0-9a-f-]{36}$/.exec(decoded);
    if (!m?.[1]) throw receiptHandleIsInvalid(handle);
    const message = q.messages.get(m[1]);
    return message?.receipt === handle ? message : undefined;
  }

  // ---- sends ----
  function prepareSend(q: Queue, entry: Input, now: number): { record?: SqsRecord; result: Input } {
    const body = checkBody(entry.MessageBody);
    const { attributes, size } = checkMessageAttributes(entry.MessageAttributes);
    const max = Number(attr(q, "MaximumMessageSize"));
    if (Buffer.byteLength(body) + size > max) {
      throw invalidParameter(
        `One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`,
      );
    }
    const fifo = isFifo(q);
    const delay = int(entry, "DelaySeconds", 0, 900);
    if (fifo && delay !== undefined && delay !== 0) {
      throw invalidParameter(
        `Value ${delay} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
      );
    }
    const groupId = str(entry, "MessageGroupId");
    let dedupId = str(entry, "MessageDeduplicationId");
    if (!fifo && dedupId !== undefined) {
      throw invalidParameter(
        "The request include parameter MessageDeduplicationId that is not valid for this queue type",
      );
    }
    const system = entry.MessageSystemAttributes as Record<string, { StringValue?: string }> | undefined;
    for (const name of Object.keys(system ?? {})) {
      if (name !== "AWSTraceHeader")
        throw invalidParameter(`Message system attribute name '${name}' is invalid.`);
    }
    const id = randomUUID();
    const md5Body = md5(body);
    const md5Attributes = attributes ? md5OfAttributes(attributes) : undefined;
    const message: StoredMessage = {
      id,
      body,
      md5Body,
      sentAt: now,
      visibleAt: now + (delay ?? Number(attr(q, "DelaySeconds"))) * 1000,
      receiveCount: 0,
      ...(attributes ? { attributes, md5Attributes } : {}),
      ...(system?.AWSTraceHeader?.StringValue ? { traceHeader: system.AWSTraceHeader.StringValue } : {}),
      ...(groupId !== undefined ? { groupId } : {}),
    };
    if (fifo) {
      if (!groupId) throw missingParameter("MessageGroupId");
      if (dedupId === undefined) {
        if (attr(q, "ContentBasedDeduplication") !== "true") {
          throw invalidParameter(
            "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
          );
        }
        dedupId = sha256(body);
      }
      message.dedupId = dedupId;
      for (const [key, seen] of q.dedup) {
        if (seen.at + DEDUP_WINDOW_MS > now) break;
        q.dedup.delete(key);
      }
      const earlier = q.dedup.get(dedupKey(q, message));
      if (earlier) {
        // A duplicate within 5 minutes is accepted and dropped: AWS answers with the first message's id.
        return { result: { MessageId: earlier.messageId, MD5OfMessageBody: md5Body } };
      }
      message.sequenceNumber = String(q.sequence + 1).padStart(20, "0");
      q.sequence += 1;
    }
    return {
      record: { op: "send", name: q.name, message },
      result: {
        MessageId: id,
        MD5OfMessageBody: md5Body,
        ...(md5Attributes ? { MD5OfMessageAttributes: md5Attributes } : {}),
        ...(message.sequenceNumber ? { SequenceNumber: message.sequenceNumber } : {}),
      },
    };
  }

  // ---- receives ----
  function takeVisible(q: Queue, max: number, visibilityMs: number): { records: SqsRecord[]; ids: string[] } {
    const now = Date.now();
    const records: SqsRecord[] = [];
    const ids: string[] = [];
    const redrive = dlqOf(q);
    const fifo = isFifo(q);
    const blocked = new Set<string>();
    for (const m of q.messages.values()) {
      if (ids.length >= max) break;
      if (expired(q, m, now)) {
        records.push({ op: "delete", name: q.name, id: m.id });
        continue;
      }
      const group = m.groupId ?? "";
      if (fifo && blocked.has(group)) continue;
      if (m.visibleAt > now) {
        if (fifo && m.receipt !== undefined) blocked.add(group);
        continue;
      }
      if (redrive && m.receiveCount >= redrive.max) {
        records.push(moveToDlq(q, redrive.dlq, m, now));
        continue;
      }
      records.push({
        op: "receive",
        name: q.name,
        id: m.id,
        receipt: newReceipt(m.id),
        visibleAt: now + visibilityMs,
        at: now,
      });
      ids.push(m.id);
    }
    return { records, ids };
  }

  function waitForChange(name: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = waiters.get(name) ?? new Set<() => void>();
      waiters.set(name, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
    });
  }

  async function receiveMessage(input: Input): Promise<unknown> {
    const q = queueOf(input);
    const max = int(input, "MaxNumberOfMessages", 1, 10) ?? 1;
    const visibility = int(input, "VisibilityTimeout", 0, 43200) ?? Number(attr(q, "VisibilityTimeout"));
    const wait = int(input, "WaitTimeSeconds", 0, 20) ?? Number(attr(q, "ReceiveMessageWaitTimeSeconds"));
    const systemNames = [...names(input, "AttributeNames"), ...names(input, "MessageSystemAttributeNames")];
    const attributeNames = names(input, "MessageAttributeNames");
    const deadline = Date.now() + wait * 1000;
    for (;;) {
      if (state.queues.get(q.name) !== q) throw queueDoesNotExist();
      const { records, ids } = takeVisible(q, max, visibility * 1000);
      const written = records.length > 0 ? commit(records) : undefined;
      if (ids.length > 0) {
        // Copies now: a later receive may change the stored message before this answer is written.
        const messages = ids.flatMap((id) => {
          const m = q.messages.get(id);
          return m ? [received(m, systemNames, attributeNames)] : [];
        });
        await written;
        sweep(q);
        return { Messages: messages };
      }
      await written;
      const left = deadline - Date.now();
      if (left <= 0 || stopping) return {};
      await waitForChange(q.name, Math.min(left, LONG_POLL_TICK_MS));
    }
  }

  // ---- move tasks (DLQ redrive) ----
  const taskHandle = (t: MoveTask) =>
    Buffer.from(JSON.stringify({ taskId: t.taskId, sourceArn: t.sourceArn })).toString("base64");

  function runTask(task: MoveTask): void {
    const p = (async () => {
      const source = queueOfArn(task.sourceArn);
      const perTick = Math.max(1, Math.round((task.maxPerSecond ?? MOVE_TASK_RATE) / 10));
      while (!stopping) {
        const current = state.tasks.find((t) => t.taskId === task.taskId);
        if (current?.status !== "RUNNING") return;
        if (!source || state.queues.get(source.name) !== source) {
          await commit([
            {
              op: "task",
              task: {
                ...current,
                status: "FAILED",
                failureReason: "AWS.SimpleQueueService.NonExistentQueue",
              },
            },
          ]);
          return;
        }
        const now = Date.now();
        const batch = [...source.messages.values()].filter((m) => m.visibleAt <= now).slice(0, perTick);
        if (batch.length === 0) {
          await commit([{ op: "task", task: { ...current, status: "COMPLETED" } }]);
          return;
        }
        const records: SqsRecord[] = [];
        for (const m of batch) {
          const to = queueOfArn(task.destinationArn ?? m.deadLetterSourceArn ?? "");
          if (!to) {
            records.push({
              op: "task",
              task: {
                ...current,
                moved: current.moved + records.length,
                status: "FAILED",
                failureReason: "CouldNotDetermineMessageSource",
              },
            });
            await commit(records);
            return;
          }
          records.push({ op: "move", from: source.name, to: to.name, id: m.id, at: now, resetCount: true });
        }
        records.push({ op: "task", task: { ...current, moved: current.moved + records.length } });
        await commit(records);
        await new Promise((r) => setTimeout(r, 100));
      }
    })()
      .catch((err) => console.error(`[sqs] message move task ${task.taskId}:`, err))
      .finally(() => runningTasks.delete(p));
    runningTasks.add(p);
  }

  // ---- operations ----
  const operations: Record<string, (input: Input) => Promise<unknown> | unknown> = {
    async CreateQueue(input) {
      const name = str(input, "QueueName", true);
      const fifo = name.endsWith(".fifo");
      if (!(fifo ? /^[\w-]{1,75}\.fifo$/ : /^[\w-]{1,80}$/).test(name)) {
        throw invalidParameter(
          "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
        );
      }
      const raw = (input.Attributes ?? {}) as Record<string, unknown>;
      if (fifo !== (String(raw.FifoQueue ?? "false").toLowerCase() === "true")) {
        throw invalidParameter(
          fifo
            ? "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix. Set the FifoQueue attribute to true."
            : "The name of a FIFO queue must end with the .fifo suffix.",
        );
      }
      const attributes = checkAttributes(raw, {
        creating: true,
        fifo,
        queueOfArn: (arn) => {
          const q = queueOfArn(arn);
          return q && { name: q.name, fifo: isFifo(q) };
        },
      });
      const existing = state.queues.get(name);
      if (existing) {
        for (const [k, v] of Object.entries(attributes)) {
          if (attr(existing, k) !== v) {
            throw new SqsError(
              "QueueNameExists",
              `A queue already exists with the same name and a different value for attribute ${k}`,
              "QueueAlreadyExists",
            );
          }
        }
        return { QueueUrl: urlOf(name) };
      }
      const tags = (input.tags ?? {}) as Record<string, string>;
      delete attributes.FifoQueue;
      if (fifo) attributes.FifoQueue = "true";
      await commit([{ op: "createQueue", name, attributes, tags, at: Date.now() }]);
      return { QueueUrl: urlOf(name) };
    },

    GetQueueUrl(input) {
      const name = str(input, "QueueName", true);
      const owner = str(input, "QueueOwnerAWSAccountId");
      if ((owner !== undefined && owner !== accountId) || !state.queues.has(name)) throw queueDoesNotExist();
      return { QueueUrl: urlOf(name) };
    },

    ListQueues(input) {
      const prefix = str(input, "QueueNamePrefix") ?? "";
      const max = int(input, "MaxResults", 1, 1000);
      const token = str(input, "NextToken");
      const all = [...state.queues.keys()].filter((n) => n.startsWith(prefix)).sort();
      const start = token ? Number(Buffer.from(token, "base64").toString("utf8")) || 0 : 0;
      const page = all.slice(start, start + (max ?? 1000));
      const next = max !== undefined && start + max < all.length ? start + max : undefined;
      return {
        ...(page.length > 0 ? { QueueUrls: page.map(urlOf) } : {}),
        ...(next !== undefined ? { NextToken: Buffer.from(String(next)).toString("base64") } : {}),
      };
    },

    async DeleteQueue(input) {
      const q = queueOf(input);
      await commit([{ op: "deleteQueue", name: q.name }]);
      for (const wake of waiters.get(q.name) ?? []) wake();
      return {};
    },

    async PurgeQueue(input) {
      const q = queueOf(input);
      await commit([{ op: "purge", name: q.name }]);
      return {};
    },

    GetQueueAttributes(input) {
      const q = queueOf(input);
      const wanted = names(input, "AttributeNames");
      for (const n of wanted) if (n !== "All" && !READABLE.has(n)) throw invalidAttributeName(n);
      const all = wanted.includes("All");
      const values: Record<string, string | undefined> = {
        ...(isFifo(q) ? FIFO_DEFAULTS : {}),
        ...DEFAULTS,
        ...q.attributes,
        QueueArn: arnOf(q.name),
        CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
        LastModifiedTimestamp: String(Math.floor(q.modifiedAt / 1000)),
        ...counts(q),
      };
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(values)) {
        if (v !== undefined && (all || wanted.includes(k))) out[k] = v;
      }
      return Object.keys(out).length > 0 ? { Attributes: out } : {};
    },

    async SetQueueAttributes(input) {
      const q = queueOf(input);
      const attributes = checkAttributes(input.Attributes, {
        creating: false,
        fifo: isFifo(q),
        queueOfArn: (arn) => {
          const t = queueOfArn(arn);
          return t && { name: t.name, fifo: isFifo(t) };
        },
      });
      for (const k of COMPUTED) if (k in attributes) throw invalidAttributeName(k);
      await commit([{ op: "setAttributes", name: q.name, attributes, at: Date.now() }]);
      sweep(q);
      return {};
    },

    async SendMessage(input) {
      const q = queueOf(input);
      const { record, result } = prepareSend(q, input, Date.now());
      if (record) await commit([record]);
      return result;
    },

    async SendMessageBatch(input) {
      const q = queueOf(input);
      const entries = batchEntries<Input>(input, "SendMessageBatchRequestEntry");
      const max = Number(attr(q, "MaximumMessageSize"));
      const total = entries.reduce((n, e) => n + Buffer.byteLength(String(e.MessageBody ?? "")), 0);
      if (total > max) throw batchErrors.tooLong(total, max);
      const now = Date.now();
      const written: Promise<void>[] = [];
      const Successful: Input[] = [];
      const Failed: Input[] = [];
      for (const e of entries) {
        try {
          const { record, result } = prepareSend(q, e, now);
          // Applied entry by entry: a later entry of the same batch is deduplicated against an earlier one.
          if (record) written.push(commit([record]));
          Successful.push({ Id: e.Id, ...result });
        } catch (err) {
          Failed.push(failure(String(e.Id), err));
        }
      }
      await Promise.all(written);
      return { Successful, Failed };
    },

    ReceiveMessage: receiveMessage,

    async DeleteMessage(input) {
      const q = queueOf(input);
      const m = messageOfReceipt(q, input.ReceiptHandle);
      // A stale handle (the message was received again since) succeeds and deletes nothing, as on AWS.
      if (m) await commit([{ op: "delete", name: q.name, id: m.id }]);
      return {};
    },

    async DeleteMessageBatch(input) {
      const q = queueOf(input);
      const entries = batchEntries<Input>(input, "DeleteMessageBatchRequestEntry");
      const records: SqsRecord[] = [];
      const Successful: Input[] = [];
      const Failed: Input[] = [];
      for (const e of entries) {
        try {
          const m = messageOfReceipt(q, e.ReceiptHandle);
          if (m) records.push({ op: "delete", name: q.name, id: m.id });
          Successful.push({ Id: e.Id });
        } catch (err) {
          Failed.push(failure(String(e.Id), err));
        }
      }
      await commit(records);
      return { Successful, Failed };
    },

    async ChangeMessageVisibility(input) {
      const q = queueOf(input);
      await commit([changeVisibility(q, input)]);
      sweep(q);
      return {};
    },

    async ChangeMessageVisibilityBatch(input) {
      const q = queueOf(input);
      const entries = batchEntries<Input>(input, "ChangeMessageVisibilityBatchRequestEntry");
      const records: SqsRecord[] = [];
      const Successful: Input[] = [];
      const Failed: Input[] = [];
      for (const e of entries) {
        try {
          records.push(changeVisibility(q, e));
          Successful.push({ Id: e.Id });
        } catch (err) {
          Failed.push(failure(String(e.Id), err));
        }
      }
      await commit(records);
      sweep(q);
      return { Successful, Failed };
    },

    ListDeadLetterSourceQueues(input) {
      const q = queueOf(input);
      const arn = arnOf(q.name);
      const max = int(input, "MaxResults", 1, 1000);
      const token = str(input, "NextToken");
      const all = [...state.queues.values()]
        .filter((s) => redriveOf(s.attributes)?.dlqArn === arn)
        .map((s) => s.name)
        .sort();
      const start = token ? Number(Buffer.from(token, "base64").toString("utf8")) || 0 : 0;
      const page = all.slice(start, start + (max ?? 1000));
      const next = max !== undefined && start + max < all.length ? start + max : undefined;
      return {
        queueUrls: page.map(urlOf),
        ...(next !== undefined ? { NextToken: Buffer.from(String(next)).toString("base64") } : {}),
      };
    },

    async StartMessageMoveTask(input) {
      const sourceArn = str(input, "SourceArn", true);
      const destinationArn = str(input, "DestinationArn");
      const maxPerSecond = int(input, "MaxNumberOfMessagesPerSecond", 1, 500);
      const source = queueOfArn(sourceArn);
      if (!source) {
        throw new SqsError(
          "ResourceNotFoundException",
          "The resource that you specified for the SourceArn parameter doesn't exist.",
          "ResourceNotFoundException",
          404,
        );
      }
      if (destinationArn !== undefined && !queueOfArn(destinationArn)) {
        throw new SqsError(
          "ResourceNotFoundException",
          "The resource that you specified for the DestinationArn parameter doesn't exist.",
          "ResourceNotFoundException",
          404,
        );
      }
      const isDlq = [...state.queues.values()].some((s) => redriveOf(s.attributes)?.dlqArn === sourceArn);
      if (!isDlq) throw invalidParameter("Source queue must be configured as a Dead Letter Queue.");
      if (state.tasks.some((t) => t.sourceArn === sourceArn && t.status === "RUNNING")) {
        throw new SqsError(
          "UnsupportedOperation",
          "There is already a task running. Only one active task is allowed for a source queue arn at a given time.",
          "AWS.SimpleQueueService.UnsupportedOperation",
        );
      }
      const now = Date.now();
      const task: MoveTask = {
        taskId: randomUUID(),
        sourceArn,
        ...(destinationArn !== undefined ? { destinationArn } : {}),
        ...(maxPerSecond !== undefined ? { maxPerSecond } : {}),
        status: "RUNNING",
        startedAt: now,
        toMove: [...source.messages.values()].filter((m) => m.visibleAt <= now).length,
        moved: 0,
      };
      await commit([{ op: "task", task }]);
      runTask(task);
      return { TaskHandle: taskHandle(task) };
    },

    ListMessageMoveTasks(input) {
      const sourceArn = str(input, "SourceArn", true);
      const max = int(input, "MaxResults", 1, 10) ?? 1;
      if (!queueOfArn(sourceArn)) {
        throw new SqsError(
          "ResourceNotFoundException",
          "The resource that you specified for the SourceArn parameter doesn't exist.",
          "ResourceNotFoundException",
          404,
        );
      }
      const tasks = state.tasks
        .filter((t) => t.sourceArn === sourceArn)
        .sort((a, b) => b.startedAt - a.startedAt)
        .slice(0, max);
      return {
        Results: tasks.map((t) => ({
          ...(t.status === "RUNNING" ? { TaskHandle: taskHandle(t) } : {}),
          Status: t.status,
          SourceArn: t.sourceArn,
          ...(t.destinationArn ? { DestinationArn: t.destinationArn } : {}),
          ...(t.maxPerSecond ? { MaxNumberOfMessagesPerSecond: t.maxPerSecond } : {}),
          ApproximateNumberOfMessagesMoved: t.moved,
          ApproximateNumberOfMessagesToMove: t.toMove,
          ...(t.failureReason ? { FailureReason: t.failureReason } : {}),
          StartedTimestamp: t.startedAt,
        })),
      };
    },

    async CancelMessageMoveTask(input) {
      const handle = str(input, "TaskHandle", true);
      let taskId: unknown;
      try {
        taskId = JSON.parse(Buffer.from(handle, "base64").toString("utf8")).taskId;
      } catch {
        taskId = undefined;
      }
      const task = state.tasks.find((t) => t.taskId === taskId && t.status === "RUNNING");
      if (!task) {
        throw new SqsError(
          "ResourceNotFoundException",
          "Task does not exist.",
          "ResourceNotFoundException",
          404,
        );
      }
      await commit([{ op: "task", task: { ...task, status: "CANCELLED" } }]);
      return { ApproximateNumberOfMessagesMoved: task.moved };
    },

    ListQueueTags(input) {
      const q = queueOf(input);
      return Object.keys(q.tags).length > 0 ? { Tags: { ...q.tags } } : {};
    },

    async TagQueue(input) {
      const q = queueOf(input);
      const tags = input.Tags;
      if (!tags || typeof tags !== "object") throw missingParameter("Tags");
      await commit([{ op: "tag", name: q.name, tags: tags as Record<string, string> }]);
      return {};
    },

    async UntagQueue(input) {
      const q = queueOf(input);
      await commit([{ op: "untag", name: q.name, keys: names(input, "TagKeys") }]);
      return {};
    },
  };

  function changeVisibility(q: Queue, input: Input): SqsRecord {
    const handle = input.ReceiptHandle;
    const seconds = int(input, "VisibilityTimeout", 0, 43200);
    if (seconds === undefined) throw missingParameter("VisibilityTimeout");
    const m = messageOfReceipt(q, handle);
    if (!m) {
      throw invalidParameter(
        `Value ${String(handle)} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
      );
    }
    const now = Date.now();
    if (m.visibleAt <= now) {
      throw new SqsError(
        "MessageNotInflight",
        "The message referred to isn't in flight.",
        "AWS.SimpleQueueService.MessageNotInflight",
      );
    }
    return { op: "visibility", name: q.name, id: m.id, visibleAt: now + seconds * 1000 };
  }

  // Resume what a stop or a crash interrupted: due DLQ moves, running redrives.
  for (const q of state.queues.values()) sweep(q);
  for (const t of state.tasks) if (t.status === "RUNNING") runTask(t);

  async function call(operation: string, input: Input): Promise<unknown> {
    const op = operations[operation];
    if (!op) {
      throw new SqsError(
        "UnknownOperationException",
        `The local SQS does not implement ${operation}.`,
        "UnknownOperationException",
      );
    }
    return op(input ?? {});
  }

  return {
    signingName: "sqs",
    call,
    async handleHttp(req: IncomingMessage, body: Buffer, res: ServerResponse) {
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, {
          "content-type": "application/x-amz-json-1.0",
          "x-amzn-requestid": randomUUID(),
          ...headers,
        });
        res.end(JSON.stringify(payload));
      };
      try {
        const target = String(req.headers["x-amz-target"] ?? "");
        const [prefix, operation] = target.split(".");
        if (prefix !== "AmazonSQS" || !operation) {
          throw new SqsError(
            "UnsupportedProtocol",
            "The local SQS speaks the AWS JSON protocol only (X-Amz-Target: AmazonSQS.<Operation>), as AWS SDK v3 and the AWS CLI do; the query (XML) protocol is not served.",
          );
        }
        let input: Input = {};
        if (body.length > 0) {
          try {
            input = JSON.parse(body.toString("utf8"));
          } catch {
            throw new SqsError("SerializationException", "Request body is not valid JSON");
          }
        }
        send(200, (await call(operation, input)) ?? {});
      } catch (err) {
        if (err instanceof SqsError) {
          send(
            err.status,
            { __type: `com.amazonaws.sqs#${err.code}`, message: err.message },
            { "x-amzn-query-error": `${err.queryCode};Sender`, "x-amzn-errortype": err.code },
          );
          return;
        }
        console.error("[sqs] request failed:", err);
        send(500, { __type: "InternalFailure", message: err instanceof Error ? err.message : String(err) });
      }
    },
    async stop() {
      stopping = true;
      for (const { timer } of sweeps.values()) clearTimeout(timer);
      sweeps.clear();
      for (const set of waiters.values()) for (const wake of set) wake();
      await Promise.allSettled([...runningTasks]);
      await journal.close();
    },
  };
}
