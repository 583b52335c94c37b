import { type DynamoDBClient, waitUntilTableExists } from "@aws-sdk/client-dynamodb";

/**
 * Waits until a table just created is ACTIVE: until then DynamoDB (and dynalite) answer ResourceNotFoundException.
 * The SDK waiter's default first delay is 20 s, made for AWS; the local cloud needs milliseconds.
 */
export async function untilTableActive(ddb: DynamoDBClient, TableName: string): Promise<void> {
  await waitUntilTableExists({ client: ddb, maxWaitTime: 30, minDelay: 0.02, maxDelay: 0.5 }, { TableName });
}
