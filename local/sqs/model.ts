/**
 * The local SQS's state and the journal records that change it. `apply` is the only writer: live operations
 * build a record (ids, receipt handles and times fixed in it), apply it and journal it; a restart applies the
 * same records to the last snapshot. So what a caller saw is exactly what comes back.
 */

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  /** Base64, as the JSON protocol carries it. */
  BinaryValue?: string;
  StringListValues?: string[];
  BinaryListValues?: string[];
}

export interface StoredMessage {
  id: string;
  body: string;
  md5Body: string;
  attributes?: Record<string, MessageAttributeValue>;
  md5Attributes?: string;
  traceHeader?: string;
  /** Epoch ms. */
  sentAt: number;
  /** Epoch ms before which receives skip it (its delay, or its visibility timeout once received). */
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  /** The receipt handle of the latest receive; only it deletes the message. */
  receipt?: string;
  groupId?: string;
  dedupId?: string;
  sequenceNumber?: string;
  /** Set when a redrive policy moved the message to this queue (a DLQ). */
  deadLetterSourceArn?: string;
}

export interface MoveTask {
  taskId: string;
  sourceArn: string;
  destinationArn?: string;
  maxPerSecond?: number;
  status: "RUNNING" | "COMPLETED" | "CANCELLING" | "CANCELLED" | "FAILED";
  startedAt: number;
  toMove: number;
  moved: number;
  failureReason?: string;
}

export interface Queue {
  name: string;
  /** Settable attributes as AWS returns them (strings), only those set. */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdAt: number;
  modifiedAt: number;
  /** In send order (a Map keeps insertion order). */
  messages: Map<string, StoredMessage>;
  /** FIFO: last sequence number and recent deduplication ids (id → sent at). */
  sequence: number;
  dedup: Map<string, { messageId: string; at: number }>;
}

export interface SqsState {
  queues: Map<string, Queue>;
  tasks: MoveTask[];
}

export type SqsRecord =
  | {
      op: "createQueue";
      name: string;
      attributes: Record<string, string>;
      tags: Record<string, string>;
      at: number;
    }
  | { op: "setAttributes"; name: string; attributes: Record<string, string>; at: number }
  | { op: "deleteQueue"; name: string }
  | { op: "tag"; name: string; tags: Record<string, string> }
  | { op: "untag"; name: string; keys: string[] }
  | { op: "send"; name: string; message: StoredMessage }
  | { op: "receive"; name: string; id: string; receipt: string; visibleAt: number; at: number }
  | { op: "visibility"; name: string; id: string; visibleAt: number }
  | { op: "delete"; name: string; id: string }
  | { op: "purge"; name: string }
  /** A message leaves `from` for `to` (a DLQ move, or a move task's redrive). */
  | {
      op: "move";
      from: string;
      to: string;
      id: string;
      at: number;
      deadLetterSourceArn?: string;
      resetCount?: boolean;
    }
  | { op: "task"; task: MoveTask };

/** FIFO deduplication interval. */
export const DEDUP_WINDOW_MS = 5 * 60 * 1000;

export function emptyState(): SqsState {
  return { queues: new Map(), tasks: [] };
}

export function apply(state: SqsState, r: SqsRecord): void {
  switch (r.op) {
    case "createQueue":
      state.queues.set(r.name, {
        name: r.name,
        attributes: { ...r.attributes },
        tags: { ...r.tags },
        createdAt: r.at,
        modifiedAt: r.at,
        messages: new Map(),
        sequence: 0,
        dedup: new Map(),
      });
      return;
    case "deleteQueue":
      state.queues.delete(r.name);
      return;
    case "task": {
      const i = state.tasks.findIndex((t) => t.taskId === r.task.taskId);
      if (i >= 0) state.tasks[i] = { ...r.task };
      else state.tasks.push({ ...r.task });
      return;
    }
  }
  const q = state.queues.get(r.op === "move" ? r.from : r.name);
  if (!q) return;
  switch (r.op) {
    case "setAttributes":
      for (const [k, v] of Object.entries(r.attributes)) {
        if (v === "") delete q.attributes[k];
        else q.attributes[k] = v;
      }
      q.modifiedAt = r.at;
      return;
    case "tag":
      Object.assign(q.tags, r.tags);
      return;
    case "untag":
      for (const k of r.keys) delete q.tags[k];
      return;
    case "send": {
      const m = { ...r.message };
      q.messages.set(m.id, m);
      if (m.sequenceNumber) q.sequence = Math.max(q.sequence, Number(m.sequenceNumber));
      if (m.dedupId) {
        const key = dedupKey(q, m);
        q.dedup.set(key, { messageId: m.id, at: m.sentAt });
      }
      return;
    }
    case "receive": {
      const m = q.messages.get(r.id);
      if (!m) return;
      m.receiveCount += 1;
      m.firstReceiveAt ??= r.at;
      m.receipt = r.receipt;
      m.visibleAt = r.visibleAt;
      return;
    }
    case "visibility": {
      const m = q.messages.get(r.id);
      if (m) m.visibleAt = r.visibleAt;
      return;
    }
    case "delete":
      q.messages.delete(r.id);
      return;
    case "purge":
      q.messages.clear();
      return;
    case "move": {
      const m = q.messages.get(r.id);
      const to = state.queues.get(r.to);
      q.messages.delete(r.id);
      if (!m || !to) return;
      const moved: StoredMessage = { ...m, visibleAt: r.at };
      delete moved.receipt;
      if (r.deadLetterSourceArn) moved.deadLetterSourceArn = r.deadLetterSourceArn;
      else delete moved.deadLetterSourceArn;
      if (r.resetCount) {
        moved.receiveCount = 0;
        delete moved.firstReceiveAt;
      }
      to.messages.set(moved.id, moved);
      return;
    }
  }
}

/** FIFO dedup scope: per queue, or per message group when DeduplicationScope is messageGroup. */
export function dedupKey(q: Queue, m: { groupId?: string; dedupId?: string }): string {
  return q.attributes.DeduplicationScope === "messageGroup"
    ? `${m.groupId}\n${m.dedupId}`
    : (m.dedupId ?? "");
}

/** What snapshot.json holds (Maps as arrays). */
export interface SqsSnapshot {
  queues: Array<
    Omit<Queue, "messages" | "dedup"> & {
      messages: StoredMessage[];
      dedup: Array<[string, { messageId: string; at: number }]>;
    }
  >;
  tasks: MoveTask[];
}

export function toSnapshot(state: SqsState): SqsSnapshot {
  return {
    queues: [...state.queues.values()].map((q) => ({
      ...q,
      messages: [...q.messages.values()],
      dedup: [...q.dedup.entries()],
    })),
    tasks: state.tasks,
  };
}

export function fromSnapshot(snap: SqsSnapshot | undefined): SqsState {
  const state = emptyState();
  if (!snap) return state;
  for (const q of snap.queues ?? []) {
    state.queues.set(q.name, {
      ...q,
      messages: new Map((q.messages ?? []).map((m) => [m.id, m])),
      dedup: new Map(q.dedup ?? []),
    });
  }
  state.tasks = snap.tasks ?? [];
  return state;
}
