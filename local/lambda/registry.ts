/**
 * Local stand-in for the Lambda service: a registry of handlers run with an AWS-shaped context. Invocation
 * semantics follow Lambda where it matters to callers: a timeout fails the invocation with "Task timed out
 * after N seconds" (counted from the end of a cold start's init), errors keep their name, and functions are
 * addressed by name or ARN (qualifiers ignored).
 * Where handlers run: a definition with a `module` (Embark's functions) runs in the worker threads of
 * worker-pool.ts, beside the edge and emulators of this thread (EMBARK_LAMBDA_WORKERS, 0 = none); one without
 * (tests' fixture closures) runs in this thread. Async invocations, their journal and retries, and timeouts
 * stay in this thread either way.
 */

import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "../aws/constants.js";
import { AwsError } from "../aws/errors.js";
import { asyncInvocation } from "../faults/delivery.js";
import { AsyncInvocations } from "./async-invocations.js";
import { type ContextFields, lambdaContext } from "./context.js";
import type { HandlerModule, LambdaHandler } from "./handler-module.js";
import { HandlerWorkerPool, workerCountFromEnv } from "./worker-pool.js";

export type { LambdaHandler } from "./handler-module.js";

export interface FunctionDefinition {
  name: string;
  /** Loads the handler lazily, like a cold start; e.g. `() => import("../../functions/x.js").then(m => m.handler)`. */
  load: () => Promise<LambdaHandler>;
  /** Where `load` finds the handler, for a worker thread to import: set, the function runs in the workers. */
  module?: HandlerModule;
  timeoutSeconds?: number;
  memoryMB?: number;
}

/** One invocation as Lambda's REPORT line tells it: duration, and the init of a cold start. */
export interface InvocationReport {
  functionName: string;
  /** From the call to the result, init included. */
  durationMs: number;
  /** Set when this invocation loaded the handler (a cold start; in a worker, that worker's). */
  initMs?: number;
  failed: boolean;
}

export class LambdaTimeoutError extends Error {
  constructor(seconds: number) {
    super(`Task timed out after ${seconds.toFixed(2)} seconds`);
    this.name = "Sandbox.Timedout";
  }
}

export function functionArn(name: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${name}`;
}

/** "name", "name:qualifier" or a full function ARN → the function name. */
export function functionNameOf(nameOrArn: string): string {
  const m = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(nameOrArn);
  if (m?.[1]) return m[1];
  return nameOrArn.split(":")[0] ?? nameOrArn;
}

export class FunctionRegistry {
  private readonly defs = new Map<string, FunctionDefinition>();
  private readonly loaded = new Map<string, Promise<LambdaHandler>>();
  private readonly running = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopping = false;
  private durable: AsyncInvocations | undefined;
  private pool: HandlerWorkerPool | undefined;
  private poolSize: number | undefined;
  private readonly reportListeners: Array<(r: InvocationReport) => void> = [];

  /**
   * `asyncRetryDelaysMs`: delays before each retry of a failed asynchronous invocation: two retries, as Lambda
   * does (AWS waits ~1 and ~2 minutes). `workers`: worker threads for definitions with a `module` (default
   * EMBARK_LAMBDA_WORKERS, read at the first such invocation).
   */
  constructor(
    private readonly asyncRetryDelaysMs: readonly number[] = [1000, 2000],
    private readonly opts: { workers?: number } = {},
  ) {}

  /**
   * Makes asynchronous invocations durable (journaled before they are accepted, resumed after a restart):
   * the local cloud calls this at start with its state directory, and `resumeAsync` once the app's functions
   * are registered. Without it (tests' own registries) async invocations live in memory.
   */
  async useDurableAsync(dir: string): Promise<void> {
    this.durable = await AsyncInvocations.open(
      dir,
      { invoke: (name, event) => this.invokeWithFaults(name, event) },
      this.asyncRetryDelaysMs,
    );
  }

  /** Runs the async invocations a stop or a crash left pending. */
  resumeAsync(): void {
    this.durable?.resume();
  }

  /**
   * Asynchronous (Event) invocation, as EventBridge targets and InvocationType=Event get it: the caller does not
   * wait, and a failure is retried twice before it is given up (logged). Resolves once the event is accepted:
   * on disk when durable (see `useDurableAsync`).
   */
  invokeAsync(nameOrArn: string, event: unknown): Promise<void> {
    const name = functionNameOf(nameOrArn);
    if (this.durable) {
      const accepted = this.durable.enqueue(name, event);
      // Callers that do not wait still hear of a failure to accept.
      accepted.catch((err) =>
        console.error(`[lambda] could not accept an async invocation of ${name}:`, err),
      );
      return accepted;
    }
    this.invokeInMemory(name, event, 0);
    return Promise.resolve();
  }

  /** Fault plan hook (local/faults/): an invocation that dies after its side effect is retried like a failure. */
  private invokeWithFaults(name: string, event: unknown): Promise<unknown> {
    return asyncInvocation(name, () => this.invoke(name, event));
  }

  private invokeInMemory(name: string, event: unknown, attempt: number): void {
    const p = this.invokeWithFaults(name, event)
      .then(
        () => undefined,
        (err: unknown) => {
          const delay = this.asyncRetryDelaysMs[attempt];
          const giveUp = delay === undefined || this.stopping;
          const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
          console.warn(
            `[lambda] async invocation of ${name} failed (${why}); ${giveUp ? "giving up" : `retrying in ${delay} ms`}`,
          );
          if (giveUp) return;
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            this.invokeInMemory(name, event, attempt + 1);
          }, delay);
          // A pending retry must not keep the process alive on its own.
          timer.unref();
          this.timers.add(timer);
        },
      )
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /** In memory: drops pending async retries. Durable: keeps them for the next start. Waits for running ones. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running, ...(this.durable ? [this.durable.stop()] : [])]);
    await this.pool?.stop();
  }

  /** Hears of every invocation once it settles (cold-start records, benchmarks). */
  onReport(listener: (r: InvocationReport) => void): void {
    this.reportListeners.push(listener);
  }

  register(def: FunctionDefinition): void {
    this.defs.set(def.name, def);
    this.loaded.delete(def.name);
  }

  has(nameOrArn: string): boolean {
    return this.defs.has(functionNameOf(nameOrArn));
  }

  list(): FunctionDefinition[] {
    return [...this.defs.values()];
  }

  /** Invokes synchronously (RequestResponse). Rejects with the handler's error or a LambdaTimeoutError. */
  async invoke(nameOrArn: string, event: unknown): Promise<unknown> {
    const name = functionNameOf(nameOrArn);
    const def = this.defs.get(name);
    if (!def)
      throw new AwsError("ResourceNotFoundException", `Function not found: ${functionArn(name)}`, 404);
    const started = performance.now();
    const timeoutMs = (def.timeoutSeconds ?? 30) * 1000;
    const fields = contextFields(def);
    let initMs: number | undefined;
    let failed = false;
    let timer: NodeJS.Timeout | undefined;
    let timedOut: (err: Error) => void = () => undefined;
    const timeout = new Promise<never>((_, reject) => {
      timedOut = reject;
    });
    // (Re)starts the clock: at dispatch, and again once a cold start's init is over.
    const startClock = () => {
      clearTimeout(timer);
      timer = setTimeout(() => timedOut(new LambdaTimeoutError(timeoutMs / 1000)), timeoutMs);
    };
    try {
      const pool = def.module && this.workerPool();
      let run: Promise<unknown>;
      if (pool && def.module) {
        startClock();
        const req = {
          module: def.module,
          event,
          context: fields,
          deadline: Date.now() + timeoutMs,
          timeoutMs,
        };
        run = pool.invoke(req, (ms) => {
          initMs = ms;
          startClock();
        });
      } else {
        const handler = await this.loadInProcess(def, (ms) => {
          initMs = ms;
        });
        startClock();
        const context = lambdaContext(fields, Date.now() + timeoutMs);
        run = Promise.resolve().then(() => handler(event, context));
      }
      return await Promise.race([run, timeout]);
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      clearTimeout(timer);
      const report = { functionName: name, durationMs: performance.now() - started, initMs, failed };
      for (const l of this.reportListeners) l(report);
    }
  }

  /** The handler, loaded on first use (a cold start, whose init `onInit` hears of). */
  private loadInProcess(def: FunctionDefinition, onInit: (ms: number) => void): Promise<LambdaHandler> {
    let handlerP = this.loaded.get(def.name);
    if (!handlerP) {
      const t0 = performance.now();
      handlerP = def.load();
      this.loaded.set(def.name, handlerP);
      void handlerP.then(
        () => onInit(performance.now() - t0),
        () => undefined,
      );
    }
    return handlerP;
  }

  /** The worker threads, started on first use; none when EMBARK_LAMBDA_WORKERS=0 (read once, at first use). */
  private workerPool(): HandlerWorkerPool | undefined {
    if (this.stopping) return this.pool;
    this.poolSize ??= this.opts.workers ?? workerCountFromEnv();
    if (this.poolSize === 0) return undefined;
    this.pool ??= new HandlerWorkerPool(this.poolSize);
    return this.pool;
  }
}

function contextFields(def: FunctionDefinition): ContextFields {
  return {
    functionName: def.name,
    invokedFunctionArn: functionArn(def.name),
    memoryLimitInMB: String(def.memoryMB ?? 512),
    awsRequestId: randomUUID(),
  };
}
