import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

let shared: DynamoDBDocumentClient | undefined;

/** One DocumentClient per process (Lambda reuses it across invocations); honours AWS_ENDPOINT_URL. */
export function documentClient(): DynamoDBDocumentClient {
  shared ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return shared;
}

export function isConditionFailure(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException;
}

/** An adapter over one table. */
export abstract class DynamoTable {
  constructor(
    protected readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}
}
