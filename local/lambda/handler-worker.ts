/**
 * A worker thread of the Lambda runner (worker-pool.ts): imports each handler module once and keeps it warm,
 * like a warm Lambda execution environment, and runs many invocations at once (handlers are async). Results
 * cross by structured clone; errors as fields (invocation-error.ts), so their names survive.
 */
import { performance } from "node:perf_hooks";
import { parentPort } from "node:worker_threads";
import { lambdaContext } from "./context.js";
import { importHandler, type LambdaHandler } from "./handler-module.js";
import { serializeError } from "./invocation-error.js";
import type { WorkerReply, WorkerRequest } from "./worker-pool.js";

const port = parentPort;
if (!port) throw new Error("handler-worker.ts runs in a worker thread (local/lambda/worker-pool.ts)");

const handlers = new Map<string, Promise<LambdaHandler>>();

port.on("message", async (req: WorkerRequest) => {
  const key = `${req.module.url}#${req.module.exportName}`;
  let handlerP = handlers.get(key);
  let deadline = req.deadline;
  try {
    if (!handlerP) {
      const t0 = performance.now();
      handlerP = importHandler(req.module);
      handlers.set(key, handlerP);
      await handlerP;
      // The main thread restarts its timeout clock on this message; the context counts from here too.
      deadline = Date.now() + req.timeoutMs;
      port.postMessage({ id: req.id, init: true, initMs: performance.now() - t0 } satisfies WorkerReply);
    }
    const handler = await handlerP;
    const value = await handler(req.event, lambdaContext(req.context, deadline));
    reply({ id: req.id, ok: true, value });
  } catch (err) {
    reply({ id: req.id, ok: false, error: serializeError(err) });
  }
});

function reply(r: WorkerReply): void {
  try {
    port?.postMessage(r);
  } catch (err) {
    // A result structured clone cannot copy (a function, a socket): the invocation fails, the worker lives on.
    port?.postMessage({ id: r.id, ok: false, error: serializeError(err) } satisfies WorkerReply);
  }
}
