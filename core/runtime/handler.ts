/**
 * Builds a Lambda handler the way every Embark function is built: middy with Powertools logging (request
 * context, keys reset per invocation), metrics and tracing, plus optional Powertools idempotency.
 */
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { makeHandlerIdempotent } from "@aws-lambda-powertools/idempotency/middleware";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { requireEnv, TABLES } from "../app/resources.js";
import { type ErrorAnswer, errorAnswers } from "./http.js";
import { type Observability, observability } from "./observability.js";

export interface IdempotencyOptions {
  /** JMESPath into the event that names "the same request" (e.g. "tenantId"). */
  key: string;
  /** JMESPath of the part that must match when a key is reused (different payload → validation error). */
  validate?: string;
  /** How long a completed record is kept. */
  expiresAfterSeconds?: number;
}

/**
 * Records are keyed "<function>#<hash>": the logical function name, not AWS_LAMBDA_FUNCTION_NAME, so keys
 * survive redeploys (SST renames functions per stage) and in-process local functions never share keys.
 */
function idempotencySettings(functionName: string, opts: IdempotencyOptions) {
  return {
    keyPrefix: functionName,
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: requireEnv(TABLES.idempotency.env) }),
    config: new IdempotencyConfig({
      eventKeyJmesPath: opts.key,
      ...(opts.validate ? { payloadValidationJmesPath: opts.validate } : {}),
      expiresAfterSeconds: opts.expiresAfterSeconds ?? 60 * 60 * 24 * 30,
      throwOnNoIdempotencyKey: true,
    }),
  };
}

/** Powertools idempotency for a whole handler (middy middleware). */
export function idempotencyFor(functionName: string, opts: IdempotencyOptions) {
  return makeHandlerIdempotent(idempotencySettings(functionName, opts));
}

/**
 * Powertools idempotency for one piece of work inside a handler (a queue record, an HTTP request): `run(x)`
 * does it once per key and replays the first result; call `registerLambdaContext` at each invocation.
 */
export function onceEach<A, R>(functionName: string, work: (a: A) => Promise<R>, opts: IdempotencyOptions) {
  const settings = idempotencySettings(functionName, opts);
  return {
    run: makeIdempotent(work, settings),
    registerLambdaContext: (context: Context) => settings.config.registerLambdaContext(context),
  };
}

export function lambda<E, R>(
  name: string,
  body: (event: E, context: Context, o: Observability) => Promise<R>,
  opts: { idempotency?: IdempotencyOptions; errors?: readonly ErrorAnswer[] } = {},
) {
  const o = observability(name);
  const handler = middy((event: E, context: Context) => body(event, context, o));
  // First in, so its onError runs last: after tracing, logging and idempotency have seen the error.
  if (opts.errors) handler.use(errorAnswers(opts.errors) as middy.MiddlewareObj);
  handler.use(captureLambdaHandler(o.tracer)).use(injectLambdaContext(o.logger, { resetKeys: true }));
  // With metrics disabled (local runs) logMetrics would only warn about an empty flush on every call.
  if (process.env.POWERTOOLS_METRICS_DISABLED !== "true") handler.use(logMetrics(o.metrics));
  if (opts.idempotency) handler.use(idempotencyFor(name, opts.idempotency));
  return handler;
}
