/**
 * The Lambda runner's worker threads: the local cloud is one process, and its edge and emulators keep one core
 * busy, so Embark's handlers (AWS SDK (de)serialization, zod, Powertools, JSON) run beside them in a small pool
 * of worker threads (node:worker_threads, entry handler-worker.ts).
 * - Created on first invocation, with the environment of that moment (`env: process.env` is a snapshot: later
 *   changes to process.env do not reach them); EMBARK_LAMBDA_WORKERS threads (default: one per core but one).
 * - Each invocation goes to the least busy worker; a worker runs many at once and keeps modules warm.
 * - A worker that dies (an uncaught exception, process.exit) fails its invocations in flight with
 *   Runtime.ExitError, as Lambda reports a runtime that exited, and is replaced at the next invocation.
 * - Timeouts are the caller's (registry.ts); a timed-out handler keeps running in its worker, as it would in
 *   this process.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { tsxExecArgv } from "../process/tsx-exec-argv.js";
import type { ContextFields } from "./context.js";
import type { HandlerModule } from "./handler-module.js";
import { reviveError, type SerializedError, serializeError } from "./invocation-error.js";

export interface WorkerRequest {
  id: number;
  module: HandlerModule;
  event: unknown;
  context: ContextFields;
  /** When the main thread times the invocation out, for a warm handler. */
  deadline: number;
  /** A cold start's deadline is counted from the end of its init, as Lambda's is. */
  timeoutMs: number;
}

export type WorkerReply =
  | { id: number; init: true; initMs: number }
  | ({ id: number; init?: undefined } & (
      | { ok: true; value: unknown }
      | { ok: false; error: SerializedError }
    ));

/** EMBARK_LAMBDA_WORKERS: threads for handlers; 0 runs every handler in the main thread. */
export function workerCountFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.EMBARK_LAMBDA_WORKERS?.trim();
  if (!raw) return Math.max(1, availableParallelism() - 1);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(
      `EMBARK_LAMBDA_WORKERS must be a whole number (0: no workers), not ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/** What Lambda reports when the runtime process exits during an invocation. */
export class RuntimeExitError extends Error {
  override name = "Runtime.ExitError";
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  onInit(initMs: number): void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

const WORKER_ENTRY = new URL("./handler-worker.ts", import.meta.url);

export class HandlerWorkerPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private stopped = false;

  constructor(
    private readonly size: number,
    private readonly entry: URL = WORKER_ENTRY,
  ) {
    if (size < 1) throw new Error("a worker pool needs at least one worker");
  }

  /** The live workers' thread ids (a replaced worker gets a new one). */
  threadIds(): number[] {
    return this.slots.map((s) => s.worker.threadId);
  }

  /** Runs the handler in a worker; `onInit` hears of a cold start's init (the module's import) when it ends. */
  invoke(
    req: Omit<WorkerRequest, "id">,
    onInit: (initMs: number) => void = () => undefined,
  ): Promise<unknown> {
    if (this.stopped)
      return Promise.reject(new RuntimeExitError("Runtime exited: the local cloud is stopping"));
    const slot = this.leastBusy();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject, onInit });
      try {
        slot.worker.postMessage({ ...req, id } satisfies WorkerRequest);
      } catch (err) {
        // An event structured clone cannot copy: this invocation fails, not the worker.
        slot.pending.delete(id);
        reject(reviveError(serializeError(err)));
      }
    });
  }

  /** Terminates the workers; invocations in flight fail with Runtime.ExitError. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private leastBusy(): Slot {
    while (this.slots.length < this.size) this.slots.push(this.spawn());
    let best = this.slots[0] as Slot;
    for (const s of this.slots) if (s.pending.size < best.pending.size) best = s;
    return best;
  }

  private spawn(): Slot {
    const worker = new Worker(this.entry, { env: process.env, execArgv: tsxExecArgv() });
    // Like a pending timer, an idle worker must not keep the process alive on its own.
    worker.unref();
    const slot: Slot = { worker, pending: new Map() };
    let crash = "";
    worker.on("message", (r: WorkerReply) => {
      const p = slot.pending.get(r.id);
      if (!p) return;
      if (r.init) return p.onInit(r.initMs);
      slot.pending.delete(r.id);
      if (r.ok) p.resolve(r.value);
      else p.reject(reviveError(r.error));
    });
    worker.on("error", (err) => {
      crash = `${err.name}: ${err.message}`;
      console.error(`[lambda] a handler worker crashed (${crash}); it is replaced at the next invocation`);
    });
    worker.on("exit", (code) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      const why = this.stopped ? "the local cloud is stopping" : crash || `exit status ${code}`;
      for (const p of slot.pending.values())
        p.reject(new RuntimeExitError(`Runtime exited with error: ${why}`));
      slot.pending.clear();
    });
    return slot;
  }
}
