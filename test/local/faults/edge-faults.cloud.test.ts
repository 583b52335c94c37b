/**
 * The fault plan at the edge and the Kubernetes stand-in, through the real clients: each service's throttle and
 * 5xx are the errors its SDK knows (and retries), a dropped connection and a lost answer are network failures
 * the SDK retries, and a lost answer's side effect happened. Its own edge and emulators in this worker, so the
 * shared test cloud never sees these faults.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  ListUserPoolsCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { SESClient, SendEmailCommand } from "@aws-sdk/client-ses";
import { CreateQueueCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { ApiException, CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { localClientConfig } from "../../../local/aws/client-config.js";
import { untilTableActive } from "../../../local/aws/table-active.js";
import { type Edge, startEdge } from "../../../local/edge/server.js";
import { startCognito } from "../../../local/emulators/cognito.js";
import { startDynamoDb } from "../../../local/emulators/dynamodb.js";
import { startSes } from "../../../local/emulators/ses.js";
import { startSqs } from "../../../local/emulators/sqs.js";
import { readFaults, setFaults } from "../../../local/faults/http.js";
import { kubeConfigFor } from "../../../local/k8s/kubeconfig.js";
import { startKubeApi } from "../../../local/k8s/server.js";

let dir: string;
let edge: Edge;
let kube: { url: string; stop(): Promise<void> };
const stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "embark-faults-"));
  edge = await startEdge({ port: 0 });
  const [sqs, ...emulators] = await Promise.all([
    startSqs(join(dir, "sqs"), edge.url),
    startDynamoDb(join(dir, "dynamodb")),
    startCognito(join(dir, "cognito"), edge.url),
    startSes(join(dir, "ses")),
  ]);
  edge.addHttpService(sqs);
  stops.push(sqs.stop);
  for (const e of emulators) {
    edge.addEmulator(e);
    stops.push(e.stop);
  }
  kube = await startKubeApi({ port: 0 });
  const ddb = new DynamoDBClient(localClientConfig(edge.url));
  await ddb.send(
    new CreateTableCommand({
      TableName: "faults-items",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  await untilTableActive(ddb, "faults-items");
});

afterAll(async () => {
  await setFaults(edge.url, {}).catch(() => {});
  await kube.stop();
  for (const stop of stops) await stop();
  await edge.stop();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await fetch(`${edge.url}/_embark/faults`, { method: "DELETE" });
});

const once = { maxAttempts: 1 };

describe("fault plan endpoint", () => {
  it("refuses an invalid plan, naming the problem, and keeps the old one", async () => {
    await setFaults(edge.url, { rules: [{ match: "dynamodb:*", throttle: 0.5 }] });
    const res = await fetch(`${edge.url}/_embark/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rules: [{ match: "dynamodb:*", throttle: 0.7, drop: 0.6 }] }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe("InvalidFaultPlan");
    expect(body.message).toMatch(/must not exceed 1/);
    expect((await readFaults(edge.url)).plan.rules[0]?.throttle).toBe(0.5);
  });
});

describe("AWS services through the edge", () => {
  it("DynamoDB: ThrottlingException in the awsJson1_0 shape, retried by the SDK, counted", async () => {
    await setFaults(edge.url, { rules: [{ match: "dynamodb:GetItem", throttle: 1 }] });
    const ddb = new DynamoDBClient(localClientConfig(edge.url));
    const err = await ddb
      .send(new GetItemCommand({ TableName: "faults-items", Key: { pk: { S: "x" } } }))
      .catch((e) => e);
    expect(err.name).toBe("ThrottlingException");
    // The SDK classes it as a throttle and retries it (DynamoDB's client makes 4 attempts in all).
    expect(err.$metadata.attempts).toBeGreaterThan(1);
    const { counts } = await readFaults(edge.url);
    expect(counts.byKind.throttle).toBe(err.$metadata.attempts);
    expect(counts.byOperation["throttle dynamodb:GetItem"]).toBe(err.$metadata.attempts);
    // Another operation is not matched by the rule.
    await ddb.send(new PutItemCommand({ TableName: "faults-items", Item: { pk: { S: "y" } } }));
  });

  it("DynamoDB: a lost answer still applied the write; the SDK's retry is what callers see", async () => {
    await setFaults(edge.url, { rules: [{ match: "dynamodb:PutItem", lostResponse: 1 }] });
    const ddb = new DynamoDBClient({ ...localClientConfig(edge.url), ...once });
    const err = await ddb
      .send(new PutItemCommand({ TableName: "faults-items", Item: { pk: { S: "lost-1" } } }))
      .catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(["ECONNRESET", "EPIPE"]).toContain(err.code);
    await setFaults(edge.url, {});
    const got = await ddb.send(
      new GetItemCommand({ TableName: "faults-items", Key: { pk: { S: "lost-1" } }, ConsistentRead: true }),
    );
    expect(got.Item?.pk?.S).toBe("lost-1");
    expect((await readFaults(edge.url)).counts.byKind.lostResponse).toBe(1);
  });

  it("lostResponseFirst: only the first call of each operation loses its answer", async () => {
    await setFaults(edge.url, { rules: [{ match: "dynamodb:*", lostResponseFirst: true }] });
    const ddb = new DynamoDBClient(localClientConfig(edge.url));
    const out = await ddb.send(
      new PutItemCommand({ TableName: "faults-items", Item: { pk: { S: "first-1" } } }),
    );
    expect(out.$metadata.attempts).toBe(2);
    const again = await ddb.send(
      new PutItemCommand({ TableName: "faults-items", Item: { pk: { S: "first-2" } } }),
    );
    expect(again.$metadata.attempts).toBe(1);
  });

  it("a dropped connection never reaches the service", async () => {
    await setFaults(edge.url, { rules: [{ match: "dynamodb:PutItem", drop: 1 }] });
    const ddb = new DynamoDBClient({ ...localClientConfig(edge.url), ...once });
    const err = await ddb
      .send(new PutItemCommand({ TableName: "faults-items", Item: { pk: { S: "dropped" } } }))
      .catch((e) => e);
    expect(["ECONNRESET", "EPIPE"]).toContain(err.code);
    await setFaults(edge.url, {});
    const got = await ddb.send(
      new GetItemCommand({ TableName: "faults-items", Key: { pk: { S: "dropped" } }, ConsistentRead: true }),
    );
    expect(got.Item).toBeUndefined();
  });

  it("5xx: a server fault the SDK marks transient", async () => {
    await setFaults(edge.url, { rules: [{ match: "dynamodb:*", serverError: 1 }] });
    const ddb = new DynamoDBClient({ ...localClientConfig(edge.url), ...once });
    const err = await ddb
      .send(new GetItemCommand({ TableName: "faults-items", Key: { pk: { S: "x" } } }))
      .catch((e) => e);
    expect([500, 503]).toContain(err.$metadata.httpStatusCode);
    expect(err.$fault).toBe("server");
    expect(["InternalServerError", "ServiceUnavailable"]).toContain(err.name);
  });

  it("SQS (JSON protocol): RequestThrottled from x-amzn-query-error", async () => {
    await setFaults(edge.url, { rules: [{ match: "sqs:*", throttle: 1 }] });
    const sqs = new SQSClient(localClientConfig(edge.url));
    const err = await sqs.send(new ListQueuesCommand({})).catch((e) => e);
    expect(err.name).toBe("RequestThrottled");
    expect(err.$metadata.attempts).toBe(3);
    await setFaults(edge.url, { rules: [{ match: "sqs:CreateQueue", lostResponse: 1 }] });
    const lost = await new SQSClient({ ...localClientConfig(edge.url), ...once })
      .send(new CreateQueueCommand({ QueueName: "faults-lost" }))
      .catch((e) => e);
    expect(lost).toBeInstanceOf(Error);
    await setFaults(edge.url, {});
    const { QueueUrls } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "faults-lost" }));
    expect(QueueUrls).toHaveLength(1);
  });

  it("Cognito: TooManyRequestsException; a CreateUserPool whose answer is lost made a pool", async () => {
    await setFaults(edge.url, { rules: [{ match: "cognito-idp:*", throttle: 1 }] });
    const idp = new CognitoIdentityProviderClient(localClientConfig(edge.url));
    const err = await idp.send(new ListUserPoolsCommand({ MaxResults: 10 })).catch((e) => e);
    expect(err.name).toBe("TooManyRequestsException");
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.$metadata.attempts).toBe(3);
    await setFaults(edge.url, { rules: [{ match: "cognito-idp:CreateUserPool", lostResponse: 1 }] });
    const lost = await new CognitoIdentityProviderClient({ ...localClientConfig(edge.url), ...once })
      .send(new CreateUserPoolCommand({ PoolName: "faults-lost" }))
      .catch((e) => e);
    expect(lost).toBeInstanceOf(Error);
    await setFaults(edge.url, {});
    const { UserPools } = await idp.send(new ListUserPoolsCommand({ MaxResults: 60 }));
    expect(UserPools?.filter((p) => p.Name === "faults-lost")).toHaveLength(1);
  });

  it("SES v1 (query protocol): Throttling in an XML ErrorResponse", async () => {
    await setFaults(edge.url, { rules: [{ match: "ses:SendEmail", throttle: 1 }] });
    const ses = new SESClient(localClientConfig(edge.url));
    const err = await ses
      .send(
        new SendEmailCommand({
          Source: "a@faults.test",
          Destination: { ToAddresses: ["b@faults.test"] },
          Message: { Subject: { Data: "s" }, Body: { Text: { Data: "t" } } },
        }),
      )
      .catch((e) => e);
    expect(err.name).toBe("Throttling");
    expect(err.$metadata.attempts).toBe(3);
  });
});

describe("Kubernetes stand-in", () => {
  it("429 TooManyRequests Status with Retry-After; a lost create made the namespace", async () => {
    const core = kubeConfigFor(kube.url).makeApiClient(CoreV1Api);
    await setFaults(edge.url, { rules: [{ match: "kubernetes:list", throttle: 1 }] });
    const err = await core.listNamespace().catch((e) => e);
    expect(err).toBeInstanceOf(ApiException);
    expect(err.code).toBe(429);
    expect(JSON.parse(err.body)).toMatchObject({ kind: "Status", reason: "TooManyRequests", code: 429 });
    expect(err.headers["retry-after"]).toBe("1");
    await setFaults(edge.url, { rules: [{ match: "kubernetes:create", lostResponse: 1 }] });
    const lost = await core.createNamespace({ body: { metadata: { name: "faults-lost" } } }).catch((e) => e);
    expect(lost).toBeInstanceOf(Error);
    await setFaults(edge.url, {});
    expect((await core.readNamespace({ name: "faults-lost" })).metadata?.name).toBe("faults-lost");
    expect((await readFaults(edge.url)).counts.byOperation["lostResponse kubernetes:create"]).toBe(1);
  });
});
