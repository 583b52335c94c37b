/**
 * The queue consumers' batch kit under hostile message bodies, with each queue's real message schema: a body no
 * retry can help goes to the dead letters at once, with a reason naming the message and what is wrong; the
 * others in the batch are handled; nothing throws out of the batch.
 */
import type { SQSEvent, SQSRecord } from "aws-lambda";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type * as z from "zod";
import { QueuedEvent } from "../../../core/billing/route.js";
import { TenantEmailMessage } from "../../../core/mail/tenant-email.js";
import { TenantRef } from "../../../core/onboarding/step-table.js";
import type { DeadLetters, RejectedMessage } from "../../../core/ports.js";
import { checkMessage, sqsJsonBatch } from "../../../core/runtime/sqs-batch.js";
import { corruptedJson, fuzzParams, hostileString, notAJsonObject } from "../../support/hostile.js";
import { lambdaContext } from "../../support/lambda-context.js";

const TENANT = "8c0e4ed3-8f4b-4a63-9a39-1f1e33b1f7c1";
const stripeEvent = { id: "evt_1", type: "invoice.paid", created: 1_700_000_000, data: { object: {} } };
const QUEUES: [string, z.ZodType<unknown>, Record<string, unknown>][] = [
  ["signups", TenantRef, { tenantId: TENANT }],
  ["emails", TenantEmailMessage, { tenantId: TENANT, template: "welcome" }],
  [
    "billing",
    QueuedEvent,
    { id: "e-1", source: "embark.billing", "detail-type": "invoice.paid", detail: stripeEvent },
  ],
];

class RecordingDeadLetters implements DeadLetters {
  readonly rejected: { message: RejectedMessage; reason: string }[] = [];
  async reject(message: RejectedMessage, reason: string): Promise<void> {
    this.rejected.push({ message, reason });
  }
}

const record = (messageId: string, body: string): SQSRecord =>
  ({
    messageId,
    body,
    receiptHandle: "r",
    attributes: {},
    messageAttributes: {},
    eventSource: "aws:sqs",
  }) as SQSRecord;

/** A hostile body for a queue whose valid message is `valid`. */
const hostileBody = (valid: Record<string, unknown>) =>
  fc.oneof(
    corruptedJson(valid),
    notAJsonObject,
    hostileString,
    // A billing event whose detail is corrupted.
    corruptedJson(stripeEvent).map(
      (detail) => `{"source":"embark.billing","detail-type":"x","detail":${detail}}`,
    ),
  );

describe("queue consumers under hostile messages", () => {
  it.each(QUEUES)(
    "%s: refused bodies go to the dead letters with the reason, good ones are handled",
    async (_q, schema, valid) => {
      await fc.assert(
        fc.asyncProperty(fc.array(hostileBody(valid), { minLength: 1, maxLength: 4 }), async (bodies) => {
          const dlq = new RecordingDeadLetters();
          const handled: unknown[] = [];
          const batch = sqsJsonBatch(schema, async (m) => handled.push(m), { deadLetters: () => dlq });
          const records = [
            ...bodies.map((b, i) => record(`m-${i}`, b)),
            record("good", JSON.stringify(valid)),
          ];
          const out = await batch({ Records: records } as SQSEvent, lambdaContext("consumer"));
          expect(out.batchItemFailures).toEqual([]);
          const refused = records.filter((r) => !checkMessage(schema, r).ok);
          expect(dlq.rejected.map((r) => r.message.messageId)).toEqual(refused.map((r) => r.messageId));
          expect(handled).toHaveLength(records.length - refused.length);
          for (const { message, reason } of dlq.rejected) {
            expect(message.body).toBe(records.find((r) => r.messageId === message.messageId)?.body);
            expect(reason).toMatch(
              new RegExp(`^Message ${message.messageId} (is not JSON|is invalid: .+)$`, "s"),
            );
            expect(reason.length).toBeLessThanOrEqual(600);
          }
        }),
        fuzzParams(100),
      );
    },
  );

  it.each([
    ["signups", TenantRef, "{nope", "Message m-1 is not JSON"],
    [
      "signups",
      TenantRef,
      '{"tenantId":"__proto__"}',
      "Message m-1 is invalid: tenantId must be a tenant id (a UUID)",
    ],
    [
      "emails",
      TenantEmailMessage,
      `{"tenantId":"${TENANT}","template":"welcome","vars":{"__proto__":"x"}}`,
      "vars: Unrecognized key",
    ],
    [
      "emails",
      TenantEmailMessage,
      `{"tenantId":"${TENANT}","template":"<script>"}`,
      "template: Invalid option",
    ],
    [
      "billing",
      QueuedEvent,
      '{"source":"embark.billing","detail-type":"x","detail":{"id":"e"}}',
      "detail.type",
    ],
    ["billing", QueuedEvent, '{"source":"aws.states","detail-type":"x","detail":{}}', "detail.executionArn"],
  ])("%s: %s is refused: %s", async (_q, schema, body, reason) => {
    const dlq = new RecordingDeadLetters();
    const batch = sqsJsonBatch(schema as z.ZodType<unknown>, async () => {}, { deadLetters: () => dlq });
    await batch({ Records: [record("m-1", body)] } as SQSEvent, lambdaContext("consumer"));
    expect(dlq.rejected).toHaveLength(1);
    expect(dlq.rejected[0]?.reason).toContain(reason);
  });

  it("without dead letters a refused message fails its record (the queue redrives it later)", async () => {
    const batch = sqsJsonBatch(TenantRef, async () => {});
    const good = record("m-2", JSON.stringify({ tenantId: TENANT }));
    const out = await batch(
      { Records: [record("m-1", "{nope"), good] } as SQSEvent,
      lambdaContext("consumer"),
    );
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: "m-1" }]);
  });
});
