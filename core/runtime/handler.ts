/**
 * Builds a Lambda handler the way every Embark function is built: middy with Powertools logging (request
 * context, keys reset per invocation), metrics and tracing, plus optional Powertools idempotency.
 */
import { IdempotencyConfig } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { makeHandlerIdempotent } from "@aws-lambda-powertools/idempotency/middleware";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { requireEnv } from "../adapters/dynamo.js";
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
export function idempotencyFor(functionName: string, opts: IdempotencyOptions) {
  return makeHandlerIdempotent({
    keyPrefix: functionName,
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: requireEnv("IDEMPOTENCY_TABLE") }),
    config: new IdempotencyConfig({
      eventKeyJmesPath: opts.key,
      ...(opts.validate ? { payloadValidationJmesPath: opts.validate } : {}),
      expiresAfterSeconds: opts.expiresAfterSeconds ?? 60 * 60 * 24 * 30,
      throwOnNoIdempotencyKey: true,
    }),
  });
}

export function lambda<E, R>(
  name: string,
  body: (event: E, context: Context, o: Observability) => Promise<R>,
  opts: { idempotency?: IdempotencyOptions } = {},
) {
  const o = observability(name);
  const handler = middy((event: E, context: Context) => body(event, context, o))
    .use(captureLambdaHandler(o.tracer))
    .use(injectLambdaContext(o.logger, { resetKeys: true }));
  // With metrics disabled (local runs) logMetrics would only warn about an empty flush on every call.
  if (process.env.POWERTOOLS_METRICS_DISABLED !== "true") handler.use(logMetrics(o.metrics));
  if (opts.idempotency) handler.use(idempotencyFor(name, opts.idempotency));
  return handler;
}
