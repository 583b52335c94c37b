/**
 * The DynamoDB plan store on the local cloud (dynalite), held to the PlanStore contract (store-contract.ts) that
 * the in-memory fake also passes. Each case gets a table of its own with the plans table's key: the contract
 * edits shipped plans, which must not change the catalog other suites read from embark-plans.
 */
import { randomUUID } from "node:crypto";
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll } from "vitest";
import { DynamoPlanStore } from "../../../core/adapters/plan-store.js";
import { TABLES } from "../../../core/app/resources.js";
import { untilTableActive } from "../../../local/aws/table-active.js";
import { awsConfig } from "../../support/cloud.js";
import { planStoreContract } from "./store-contract.js";

let ddb: DynamoDBClient;
let db: DynamoDBDocumentClient;
const tables: string[] = [];

beforeAll(() => {
  ddb = new DynamoDBClient(awsConfig());
  // As core/adapters/dynamo.ts makes it.
  db = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });
});

afterAll(async () => {
  for (const TableName of tables) await ddb.send(new DeleteTableCommand({ TableName }));
});

planStoreContract("DynamoDB (local cloud)", async () => {
  const name = `embark-plans-contract-${randomUUID().slice(0, 8)}`;
  const key = TABLES.plans.key;
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: key, KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: key, AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  tables.push(name);
  await untilTableActive(ddb, name);
  return new DynamoPlanStore(db, name);
});
