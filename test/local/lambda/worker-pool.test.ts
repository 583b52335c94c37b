import { afterEach, describe, expect, it } from "vitest";
import { type FunctionDefinition, FunctionRegistry } from "../../../local/lambda/registry.js";
import { HandlerWorkerPool, workerCountFromEnv } from "../../../local/lambda/worker-pool.js";

const FIXTURES = new URL("./fixtures/worker-handlers.ts", import.meta.url).href;

/** A fixture handler as Embark's functions are registered: in the workers, loadable in this thread too. */
function fixture(exportName: string, extra: Partial<FunctionDefinition> = {}): FunctionDefinition {
  const module = { url: FIXTURES, exportName };
  return {
    name: exportName,
    module,
    load: async () => (await import(FIXTURES))[exportName],
    ...extra,
  };
}

function registry(workers: number, ...defs: FunctionDefinition[]): FunctionRegistry {
  const r = new FunctionRegistry([], { workers });
  for (const d of defs) r.register(d);
  registries.push(r);
  return r;
}

const registries: FunctionRegistry[] = [];
afterEach(async () => {
  await Promise.all(registries.splice(0).map((r) => r.stop()));
});

describe("the Lambda runner's worker threads", () => {
  it("run a module's handler in another thread with a Lambda context, and keep it warm", async () => {
    process.env.WORKER_FIXTURE_ENV = "set before the first invocation";
    const r = registry(1, fixture("echo", { timeoutSeconds: 20 }));
    const first = (await r.invoke("echo", { hello: "world" })) as Record<string, unknown>;
    process.env.WORKER_FIXTURE_ENV = "set later";
    const second = (await r.invoke("echo", {})) as Record<string, unknown>;
    expect(first).toMatchObject({ event: { hello: "world" }, functionName: "echo", calls: 1 });
    expect(first.threadId).not.toBe(0);
    expect(first.remainingMs).toBeGreaterThan(0);
    expect(first.remainingMs).toBeLessThanOrEqual(20_000);
    expect(second).toMatchObject({ calls: 2, threadId: first.threadId });
    expect(second.requestId).not.toBe(first.requestId);
    // The environment is the worker's snapshot from its start.
    expect(second.env).toBe("set before the first invocation");
  });

  it("run a definition without a module, and every function with 0 workers, in this thread", async () => {
    const inThread = (await registry(0, fixture("echo")).invoke("echo", {})) as { threadId: number };
    const { module: _, ...closure } = fixture("echo");
    const alsoInThread = (await registry(1, closure).invoke("echo", {})) as { threadId: number };
    expect(inThread.threadId).toBe(0);
    expect(alsoInThread.threadId).toBe(0);
  });

  it("bring a handler's error back with its name, message, stack and own fields", async () => {
    for (const workers of [1, 0]) {
      const err = await registry(workers, fixture("fail"))
        .invoke("fail", { step: "runPipeline" })
        .then(
          () => undefined,
          (e: unknown) => e as Error & Record<string, unknown>,
        );
      expect(err).toBeInstanceOf(Error);
      expect(err?.name).toBe("PipelineFailed");
      expect(err?.message).toBe("Deploy stage failed: deploy");
      expect(err?.stack).toContain("worker-handlers.ts");
      expect(err).toMatchObject({ step: "runPipeline", details: { stage: "deploy" } });
    }
  });

  it("fail an invocation whose result cannot be copied, and the worker lives on", async () => {
    const r = registry(1, fixture("uncloneable"), fixture("echo"));
    await expect(r.invoke("uncloneable", {})).rejects.toMatchObject({ name: "DataCloneError" });
    await expect(r.invoke("echo", {})).resolves.toMatchObject({ calls: 1 });
  });

  it("time out a handler from the main thread", async () => {
    const r = registry(1, fixture("hang", { timeoutSeconds: 0.2 }));
    await expect(r.invoke("hang", {})).rejects.toMatchObject({
      name: "Sandbox.Timedout",
      message: "Task timed out after 0.20 seconds",
    });
  });

  it("run many invocations at once in one worker", async () => {
    const r = registry(1, fixture("gather"));
    const threads = await Promise.all(Array.from({ length: 5 }, () => r.invoke("gather", { n: 5 })));
    expect(new Set(threads).size).toBe(1);
  });

  it("spread invocations over the least busy workers", async () => {
    const pool = new HandlerWorkerPool(2);
    try {
      const module = { url: FIXTURES, exportName: "hang" };
      const req = {
        module,
        event: {},
        context: contextFields(),
        deadline: Date.now() + 60_000,
        timeoutMs: 60_000,
      };
      void pool.invoke(req).catch(() => undefined);
      const echo = { ...req, module: { url: FIXTURES, exportName: "echo" } };
      const a = (await pool.invoke(echo)) as { threadId: number };
      const b = (await pool.invoke(echo)) as { threadId: number };
      // The hanging invocation keeps its worker busy: both go to the other one.
      expect(pool.threadIds()).toHaveLength(2);
      expect(b.threadId).toBe(a.threadId);
    } finally {
      await pool.stop();
    }
  });

  it("fail the invocations of a worker that crashes with Runtime.ExitError, and replace it", async () => {
    const r = registry(1, fixture("crash"), fixture("hang"), fixture("echo"));
    const inFlight = r.invoke("hang", {});
    const crashed = r.invoke("crash", {});
    await expect(crashed).rejects.toMatchObject({
      name: "Runtime.ExitError",
      message: expect.stringContaining("boom from a handler's callback"),
    });
    await expect(inFlight).rejects.toMatchObject({ name: "Runtime.ExitError" });
    const after = (await r.invoke("echo", {})) as { calls: number };
    // A new worker: a cold start, its module state fresh.
    expect(after.calls).toBe(1);
  });

  it("are terminated by stop(): invocations in flight fail, later ones too", async () => {
    const pool = new HandlerWorkerPool(1);
    const req = {
      module: { url: FIXTURES, exportName: "hang" },
      event: {},
      context: contextFields(),
      deadline: Date.now() + 60_000,
      timeoutMs: 60_000,
    };
    const inFlight = pool.invoke(req);
    expect(pool.threadIds()).toHaveLength(1);
    await pool.stop();
    expect(pool.threadIds()).toEqual([]);
    await expect(inFlight).rejects.toMatchObject({ name: "Runtime.ExitError" });
    await expect(pool.invoke(req)).rejects.toMatchObject({ name: "Runtime.ExitError" });
  });

  it("number EMBARK_LAMBDA_WORKERS, one per core but one by default", () => {
    expect(workerCountFromEnv({ EMBARK_LAMBDA_WORKERS: "0" })).toBe(0);
    expect(workerCountFromEnv({ EMBARK_LAMBDA_WORKERS: "3" })).toBe(3);
    expect(workerCountFromEnv({})).toBeGreaterThanOrEqual(1);
    expect(() => workerCountFromEnv({ EMBARK_LAMBDA_WORKERS: "two" })).toThrow(/EMBARK_LAMBDA_WORKERS/);
  });
});

function contextFields() {
  return {
    functionName: "fixture",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:fixture",
    memoryLimitInMB: "128",
    awsRequestId: "00000000-0000-4000-8000-000000000000",
  };
}
