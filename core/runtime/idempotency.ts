/**
 * Powertools idempotency on the idempotency table, for the functions that use it (their bundles alone carry
 * it): a whole handler (`idempotentHandler`, a middy middleware for lambda()'s `idempotent` option) or one piece
 * of work inside a handler (`onceEach`).
 */
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { makeHandlerIdempotent } from "@aws-lambda-powertools/idempotency/middleware";
import type middy from "@middy/core";
import type { Context } from "aws-lambda";
import { requireEnv, TABLES } from "../app/resources.js";

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
export function idempotentHandler(functionName: string, opts: IdempotencyOptions): middy.MiddlewareObj {
  return makeHandlerIdempotent(idempotencySettings(functionName, opts)) as middy.MiddlewareObj;
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
