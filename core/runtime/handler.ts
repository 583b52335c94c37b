/**
 * Builds a Lambda handler the way every Embark function is built: middy with Powertools logging (request
 * context, keys reset per invocation) and metrics, plus, for a function that passes it, Powertools idempotency
 * (core/runtime/idempotency.ts, imported only by the functions that use it).
 *
 * Tracing is Lambda's own X-Ray active tracing (stacks/functions.ts): it records each invocation with its init,
 * invocation and overhead segments. The Powertools Tracer is not used: here it only added a handler subsegment
 * with a ColdStart annotation, and its X-Ray SDK cost about 50 ms of every cold start and 330 KiB of every bundle
 * (docs/benchmarks.md, "Cold starts").
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { type ErrorAnswer, errorAnswers } from "./http.js";
import { type Observability, observability } from "./observability.js";

export function lambda<E, R>(
  name: string,
  body: (event: E, context: Context, o: Observability) => Promise<R>,
  opts: {
    /** Runs before idempotency: a payload it refuses never reaches the idempotency table. */
    validate?: middy.MiddlewareObj;
    idempotent?: middy.MiddlewareObj;
    errors?: readonly ErrorAnswer[];
  } = {},
) {
  const o = observability(name);
  const handler = middy((event: E, context: Context) => body(event, context, o));
  // First in, so its onError runs last: after tracing, logging and idempotency have seen the error.
  if (opts.errors) handler.use(errorAnswers(opts.errors) as middy.MiddlewareObj);
  handler.use(injectLambdaContext(o.logger, { resetKeys: true }));
  // With metrics disabled (local runs) logMetrics would only warn about an empty flush on every call.
  if (process.env.POWERTOOLS_METRICS_DISABLED !== "true") handler.use(logMetrics(o.metrics));
  if (opts.validate) handler.use(opts.validate);
  if (opts.idempotent) handler.use(opts.idempotent);
  return handler;
}
