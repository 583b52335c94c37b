/**
 * Local stand-in for the Lambda service: a registry of handler modules run in this process with an
 * AWS-shaped context. Invocation semantics follow Lambda where it matters to callers: a timeout fails the
 * invocation with "Task timed out after N seconds", errors keep their name, and functions are addressed by
 * name or ARN (qualifiers ignored).
 */

import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "../aws/constants.js";
import { AwsError } from "../aws/errors.js";
import { asyncInvocation } from "../faults/delivery.js";
import { AsyncInvocations } from "./async-invocations.js";

// biome-ignore lint/suspicious/noExplicitAny: handlers take any AWS event shape
export type LambdaHandler = (event: any, context: Context) => Promise<unknown>;

export interface FunctionDefinition {
  name: string;
  /** Loads the handler lazily, like a cold start; e.g. `() => import("../../functions/x.js").then(m => m.handler)`. */
  load: () => Promise<LambdaHandler>;
  timeoutSeconds?: number;
  memoryMB?: number;
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

  /** Delays before each retry of a failed asynchronous invocation: two retries, as Lambda does (AWS waits ~1 and ~2 minutes). */
  constructor(private readonly asyncRetryDelaysMs: readonly number[] = [1000, 2000]) {}

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
    let handlerP = this.loaded.get(name);
    if (!handlerP) {
      handlerP = def.load();
      this.loaded.set(name, handlerP);
    }
    const handler = await handlerP;
    const timeoutMs = (def.timeoutSeconds ?? 30) * 1000;
    const deadline = Date.now() + timeoutMs;
    const context = makeContext(def, deadline);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LambdaTimeoutError(timeoutMs / 1000)), timeoutMs);
    });
    try {
      return await Promise.race([Promise.resolve().then(() => handler(event, context)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function makeContext(def: FunctionDefinition, deadline: number): Context {
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: def.name,
    functionVersion: "$LATEST",
    invokedFunctionArn: functionArn(def.name),
    memoryLimitInMB: String(def.memoryMB ?? 512),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${def.name}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
