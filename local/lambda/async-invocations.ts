/**
 * Lambda's asynchronous invocation queue, durable: an Event invocation is journaled (local/aws/journal.ts,
 * under `<stateDir>/lambda`) before it is accepted, each failed attempt's retry time is journaled, and what
 * was pending or waiting to retry when the process stopped or was killed runs after the next start (once the
 * app's functions are registered: `resume`).
 *
 * As Lambda: at least once (an attempt cut short by a kill runs again), two retries after a function error,
 * then the event is dropped with a log line. Gaps: retries wait the registry's delays (1 s and 2 s locally,
 * about 1 and 2 minutes on AWS); no on-failure destinations, DLQ or MaximumEventAgeInSeconds; events of one
 * function run concurrently without a concurrency limit.
 */
import { randomUUID } from "node:crypto";
import { Journal } from "../aws/journal.js";

export interface AsyncEvent {
  id: string;
  functionName: string;
  event: unknown;
  acceptedAt: number;
  /** Attempts already made (and failed). */
  attempts: number;
  /** Epoch ms of the next attempt. */
  nextAt: number;
}

type AsyncRecord =
  | { op: "accept"; item: AsyncEvent }
  | { op: "retry"; id: string; attempts: number; nextAt: number }
  | { op: "done"; id: string };

interface Snapshot {
  pending: AsyncEvent[];
}

export interface AsyncInvoker {
  invoke(functionName: string, event: unknown): Promise<unknown>;
}

export class AsyncInvocations {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private resumed = false;
  private stopping = false;

  private constructor(
    private readonly journal: Journal<AsyncRecord, Snapshot>,
    private readonly pending: Map<string, AsyncEvent>,
    private readonly invoker: AsyncInvoker,
    private readonly retryDelaysMs: readonly number[],
  ) {}

  static async open(
    dir: string,
    invoker: AsyncInvoker,
    retryDelaysMs: readonly number[],
  ): Promise<AsyncInvocations> {
    const loaded = await Journal.load<AsyncRecord, Snapshot>(dir);
    const pending = new Map((loaded.snapshot?.pending ?? []).map((e) => [e.id, e]));
    for (const r of loaded.records) applyRecord(pending, r);
    await loaded.journal.start(() => ({ pending: [...pending.values()] }));
    return new AsyncInvocations(loaded.journal, pending, invoker, retryDelaysMs);
  }

  /** Events accepted and not yet finished. */
  list(): AsyncEvent[] {
    return [...this.pending.values()];
  }

  /** Resolves once the event is on disk (answer 202 then); it runs now if resumed, else at `resume`. */
  async enqueue(functionName: string, event: unknown): Promise<void> {
    if (this.stopping) throw new Error("the local Lambda service is stopping");
    const now = Date.now();
    const item: AsyncEvent = {
      id: randomUUID(),
      functionName,
      event,
      acceptedAt: now,
      attempts: 0,
      nextAt: now,
    };
    await this.commit({ op: "accept", item });
    if (this.resumed) this.schedule(item);
  }

  /** Starts running what is pending (events a stop or a crash left), each at its retry time. */
  resume(): void {
    if (this.resumed) return;
    this.resumed = true;
    for (const item of this.pending.values()) this.schedule(item);
  }

  /** Keeps pending events on disk for the next start; waits for running attempts to settle. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    await this.journal.close();
  }

  private commit(r: AsyncRecord): Promise<void> {
    applyRecord(this.pending, r);
    return this.journal.append(r);
  }

  private schedule(item: AsyncEvent): void {
    if (this.stopping || this.timers.has(item.id)) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(item.id);
        this.attempt(item.id);
      },
      Math.max(0, item.nextAt - Date.now()),
    );
    // A pending retry must not keep the process alive on its own.
    timer.unref();
    this.timers.set(item.id, timer);
  }

  private attempt(id: string): void {
    const item = this.pending.get(id);
    if (!item || this.stopping) return;
    const p = this.invoker
      .invoke(item.functionName, item.event)
      .then(
        () => this.commit({ op: "done", id }),
        (err: unknown) => {
          const attempts = item.attempts + 1;
          const delay = this.retryDelaysMs[attempts - 1];
          const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
          console.warn(
            `[lambda] async invocation of ${item.functionName} failed (${why}); ${delay === undefined ? "giving up" : `retrying in ${delay} ms`}`,
          );
          if (delay === undefined) return this.commit({ op: "done", id });
          const nextAt = Date.now() + delay;
          return this.commit({ op: "retry", id, attempts, nextAt }).then(() => {
            const next = this.pending.get(id);
            if (next) this.schedule(next);
          });
        },
      )
      .catch((err) => console.error(`[lambda] recording async invocation ${id}:`, err))
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }
}

function applyRecord(pending: Map<string, AsyncEvent>, r: AsyncRecord): void {
  if (r.op === "accept") pending.set(r.item.id, { ...r.item });
  else if (r.op === "done") pending.delete(r.id);
  else {
    const item = pending.get(r.id);
    if (item) {
      item.attempts = r.attempts;
      item.nextAt = r.nextAt;
    }
  }
}
