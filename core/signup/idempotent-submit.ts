/**
 * The signup endpoint's Idempotency-Key: the same key with the same body returns the original 202 (Powertools
 * idempotency record in DynamoDB); the same key with a different body is refused.
 */
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { Context } from "aws-lambda";
import { requireEnv } from "../adapters/dynamo.js";
import type { SignupRequest } from "./request.js";
import type { SignupAccepted } from "./submit.js";

export function idempotentSignups(submit: (request: SignupRequest) => Promise<SignupAccepted>) {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: "key",
    payloadValidationJmesPath: "request",
    expiresAfterSeconds: 24 * 60 * 60,
  });
  const run = makeIdempotent(
    async (input: { key: string; request: SignupRequest }) => submit(input.request),
    {
      persistenceStore: new DynamoDBPersistenceLayer({ tableName: requireEnv("IDEMPOTENCY_TABLE") }),
      keyPrefix: "signup-intake",
      config,
    },
  );
  return (key: string, request: SignupRequest, context: Context) => {
    config.registerLambdaContext(context);
    return run({ key, request });
  };
}
