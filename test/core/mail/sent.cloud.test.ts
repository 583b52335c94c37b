/**
 * Exactly one welcome email on the local cloud, through the real SDK: the mailer sends with the configuration
 * set and tags, the local SES puts "Email Sent" on the default bus, record-email-sent notes it on the tenant
 * record; and a redelivery after a mailer died between SES's answer and its idempotency record's completion (the
 * record left INPROGRESS and expired, as Powertools leaves it) sends nothing.
 */
import { createHash } from "node:crypto";
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, expect, it } from "vitest";
import { documentClient } from "../../../core/adapters/dynamo.js";
import { DynamoTenantStore } from "../../../core/adapters/tenant-store.js";
import { LOCAL_NAMES } from "../../../core/app/resources.js";
import { awsConfig, cloud } from "../../support/cloud.js";
import {
  eventually,
  postSignup,
  uniqueCompany,
  useEmbarkEnvironment,
  waitForTenant,
} from "../../support/embark.js";

let tenants: DynamoTenantStore;
beforeAll(() => {
  useEmbarkEnvironment();
  tenants = DynamoTenantStore.fromEnvironment();
});

/** The local SES's accepted mail to one address, with message ids. */
async function welcomesTo(address: string): Promise<string[]> {
  const store = (await (await fetch(cloud().sesMessages)).json()) as {
    emails: Array<{ messageId: string; subject: string; destination: { to: string[] } }>;
  };
  return store.emails
    .filter((e) => e.destination.to.includes(address) && /Welcome to Embark/.test(e.subject))
    .map((e) => e.messageId);
}

/** The mailer's Powertools idempotency record of a tenant's welcome email (key [tenantId, template]). */
const welcomeRecordKey = (tenantId: string) => ({
  id: `mailer#${createHash("md5")
    .update(JSON.stringify([tenantId, "welcome"]))
    .digest("base64")}`,
});

it("a sent welcome email is recorded on the tenant; a redelivery after a mailer died sends nothing", async () => {
  const adminEmail = `ops+${Date.now()}@confirmed.test`;
  const res = await postSignup({ companyName: uniqueCompany("Confirmed"), adminEmail, plan: "standard" });
  const tenantId = String(res.body.tenantId);
  await waitForTenant(tenantId, ["ACTIVE"]);
  const [messageId] = await eventually(
    () => welcomesTo(adminEmail),
    (ids) => ids.length === 1,
  );
  const recorded = await eventually(
    async () => (await tenants.require(tenantId)).mailSent?.welcome,
    (sent) => sent !== undefined,
  );
  expect(recorded).toEqual({ messageId, at: expect.any(String) });

  // The mailer died after SES answered: its idempotency record stays INPROGRESS until its expiry passes.
  const db = documentClient();
  const table = LOCAL_NAMES.table("idempotency");
  const before = await db.send(new GetCommand({ TableName: table, Key: welcomeRecordKey(tenantId) }));
  expect(before.Item?.status).toBe("COMPLETED");
  await db.send(
    new UpdateCommand({
      TableName: table,
      Key: welcomeRecordKey(tenantId),
      UpdateExpression: "SET #status = :inprogress, in_progress_expiration = :past REMOVE #data",
      ExpressionAttributeNames: { "#status": "status", "#data": "data" },
      ExpressionAttributeValues: { ":inprogress": "INPROGRESS", ":past": Date.now() - 1000 },
    }),
  );
  const sqs = new SQSClient(awsConfig());
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: LOCAL_NAMES.queue("emails") }));
  await sqs.send(
    new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify({ tenantId, template: "welcome" }) }),
  );

  // The mailer ran the message again (its record completed once more) and sent nothing.
  const after = await eventually(
    async () => (await db.send(new GetCommand({ TableName: table, Key: welcomeRecordKey(tenantId) }))).Item,
    (item) => item?.status === "COMPLETED",
  );
  expect(after?.data).toMatchObject({ messageId, alreadySent: true });
  expect(await welcomesTo(adminEmail)).toEqual([messageId]);
});
