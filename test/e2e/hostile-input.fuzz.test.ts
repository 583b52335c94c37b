/**
 * Hostile input at every door Embark opens, through the local cloud (real HTTP to its web port, the real AWS SDK
 * to its queues, state machines and Lambda API): a specific 4xx for HTTP, the DLQ with a reason for queue
 * messages, a failed first step with a precise error for state machine inputs, a ValidationError for
 * EventBridge events; never a 5xx, and never a partly made tenant (tenants table, slug claims, user pools and
 * namespaces are checked at the end). A few hundred cases here; `npm run fuzz` runs thousands.
 */
import { randomUUID } from "node:crypto";
import { request } from "node:http";
import {
  CognitoIdentityProviderClient,
  ListUserPoolsCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import fc from "fast-check";
import Stripe from "stripe";
import { afterAll, describe, expect, it } from "vitest";
import type * as z from "zod";
import { documentClient } from "../../core/adapters/dynamo.js";
import { POOL_NAME_PREFIX } from "../../core/adapters/identity.js";
import { REJECTION_ATTRIBUTES } from "../../core/adapters/queues.js";
import { LOCAL_NAMES, type QueueKey, STATE_MACHINE_KEYS } from "../../core/app/resources.js";
import { QueuedEvent } from "../../core/billing/route.js";
import { TENANT_ID_LABEL } from "../../core/cluster/tenant-objects.js";
import { TenantEmailMessage } from "../../core/mail/tenant-email.js";
import { TenantRef } from "../../core/onboarding/step-table.js";
import { checkMessage } from "../../core/runtime/sqs-batch.js";
import { parseSignup } from "../../core/signup/request.js";
import { kubeConfigFor } from "../../local/k8s/kubeconfig.js";
import { awsConfig, cloud } from "../support/cloud.js";
import { useEmbarkEnvironment } from "../support/embark.js";
import { corruptedJson, fuzzParams, hostileString, notAJsonObject } from "../support/hostile.js";

useEmbarkEnvironment();

const RUN = `${Date.now().toString(36)}${process.pid.toString(36)}`;
const STARTED = new Date().toISOString();
/** Every generated signup uses this domain, so what they could have made is found by it. */
const DOMAIN = `${RUN}.fuzz.test`;
const sqs = new SQSClient(awsConfig());
const sfn = new SFNClient(awsConfig());
const lambda = new LambdaClient(awsConfig());
const TENANT = "8c0e4ed3-8f4b-4a63-9a39-1f1e33b1f7c1";
/** Counts of cases per boundary, printed at the end (the numbers in the report). */
const cases: Record<string, number> = {};
const count = (boundary: string) => {
  cases[boundary] = (cases[boundary] ?? 0) + 1;
};

afterAll(() => {
  console.log(`hostile-input cases run: ${JSON.stringify(cases)}`);
  sqs.destroy();
  sfn.destroy();
  lambda.destroy();
});

/** A raw HTTP request (fetch would refuse some of these paths and headers). */
function raw(
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; contentType: string }> {
  const url = new URL(cloud().web);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let data = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        data += c;
      });
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          body: data,
          contentType: String(res.headers["content-type"]),
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Embark's error shape with a code and a message. */
function expectProblem(
  res: { status: number; body: string },
  statuses: number[],
): { code: string; message: string } {
  expect(statuses, res.body.slice(0, 300)).toContain(res.status);
  const parsed = JSON.parse(res.body) as { error: { code: string; message: string } };
  expect(parsed.error.code).toMatch(/^[a-z_]+$/);
  expect(parsed.error.message.length).toBeGreaterThan(0);
  return parsed.error;
}

const good = { companyName: `Fuzz ${RUN}`, adminEmail: `ops@${DOMAIN}`, plan: "free" };

describe("HTTP doors", () => {
  it("POST /signups: every hostile body gets a specific 400/413/422", async () => {
    const bodies = fc.oneof(
      { weight: 6, arbitrary: corruptedJson(good) },
      { weight: 2, arbitrary: notAJsonObject },
      { weight: 1, arbitrary: hostileString },
      {
        weight: 1,
        arbitrary: hostileString.map((companyName) => JSON.stringify({ ...good, companyName })),
      },
    );
    await fc.assert(
      fc.asyncProperty(bodies, fc.constantFrom("application/json", "text/plain", ""), async (body, type) => {
        let valid = false;
        try {
          valid = parseSignup(JSON.parse(body)).ok;
        } catch {}
        // A body that happens to be a valid signup would make a tenant: those are the other suites' business.
        fc.pre(!valid);
        count("POST /signups");
        const res = await raw("POST", "/signups", body, type ? { "content-type": type } : {});
        expectProblem(res, [400, 413, 422]);
      }),
      fuzzParams(150),
    );
  });

  it("POST /signups: a hostile Idempotency-Key is refused as 400", async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileString.filter((k) => !/^[\w.:-]{8,128}$/.test(k)),
        async (key) => {
          // Node refuses to send some header values at all (CR/LF, non-Latin-1): those never reach a server.
          // Past the HTTP server's header limit it answers 431 itself: not Embark's door.
          if (/[^\t\x20-\x7e\x80-\xff]/.test(key) || key.trim() !== key || key === "" || key.length > 4000)
            return;
          count("Idempotency-Key header");
          const res = await raw("POST", "/signups", JSON.stringify({ ...good, companyName: `Key ${RUN}` }), {
            "content-type": "application/json",
            "idempotency-key": key,
          });
          expect(expectProblem(res, [400]).code).toBe("invalid_idempotency_key");
        },
      ),
      fuzzParams(40),
    );
  });

  it("GET /tenants/{id}: a hostile id gets 400 or 404, never a 5xx", async () => {
    const segment = fc.oneof(
      hostileString.map((s) => encodeURIComponent(s.replaceAll(/[\uD800-\uDFFF]/g, "?"))),
      fc.constantFrom(
        "%",
        "%zz",
        "%ED%A0%80",
        "%00",
        "..",
        "%2F..%2Fetc",
        "__proto__",
        "constructor",
        "a%0d%0ab",
      ),
    );
    await fc.assert(
      fc.asyncProperty(segment, async (id) => {
        fc.pre(id.length > 0 && id.length < 8000);
        count("GET /tenants/{id}");
        const res = await raw("GET", `/tenants/${id}`);
        expect(res.status, res.body.slice(0, 200)).toBeLessThan(500);
        if (res.status !== 404 || res.contentType.includes("json")) expectProblem(res, [400, 404]);
      }),
      fuzzParams(120),
    );
  });

  it("GET /slugs/{slug}: a hostile slug is never available and never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(hostileString, async (s) => {
        const slug = encodeURIComponent(s.replaceAll(/[\uD800-\uDFFF]/g, "?"));
        fc.pre(slug.length > 0 && slug.length < 8000 && !/^[a-z0-9-]{3,40}$/.test(s));
        count("GET /slugs/{slug}");
        const res = await raw("GET", `/slugs/${slug}`);
        expect(res.status).toBe(200);
        const answer = JSON.parse(res.body) as { available: boolean; reason: string; message: string };
        expect(answer.available).toBe(false);
        expect(["format", "length", "reserved"]).toContain(answer.reason);
        expect(answer.message.length).toBeLessThanOrEqual(200);
      }),
      fuzzParams(100),
    );
  });

  it("POST /billing/webhook: forged, replayed, future-dated, unsigned or malformed requests get 400/413", async () => {
    const secret = cloud().stripeWebhookSecret;
    const event = {
      id: `evt_${RUN}`,
      type: "invoice.paid",
      created: Math.floor(Date.now() / 1000),
      data: { object: {} },
    };
    const now = () => Math.floor(Date.now() / 1000);
    const attack = fc.oneof(
      // forged: another secret
      fc.string({ minLength: 1, maxLength: 20 }).map((s) => {
        const payload = JSON.stringify(event);
        return {
          payload,
          header: Stripe.webhooks.generateTestHeaderString({ payload, secret: `whsec_${s}x` }),
        };
      }),
      // replayed or future-dated
      fc.integer({ min: 301, max: 10_000_000 }).chain((age) =>
        fc.constantFrom(-1, 1).map((sign) => {
          const payload = JSON.stringify(event);
          const timestamp = now() + sign * (age + 5);
          return {
            payload,
            header: Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }),
          };
        }),
      ),
      // tampered after signing
      corruptedJson(event).map((payload) => ({
        payload,
        header: Stripe.webhooks.generateTestHeaderString({ payload: JSON.stringify(event), secret }),
      })),
      // signed garbage
      fc.oneof(notAJsonObject, corruptedJson(event)).map((payload) => ({
        payload,
        header: Stripe.webhooks.generateTestHeaderString({ payload, secret }),
      })),
      // hostile headers
      hostileString.map((header) => ({ payload: JSON.stringify(event), header })),
    );
    await fc.assert(
      fc.asyncProperty(attack, async ({ payload, header }) => {
        // Node refuses to send some header values at all; past its header limit the server answers 431 itself.
        const sendable =
          !/[^\t\x20-\x7e\x80-\xff]/.test(header) &&
          header.trim() === header &&
          header !== "" &&
          header.length < 4000;
        let parsed: unknown;
        try {
          parsed = JSON.parse(payload);
        } catch {}
        // A correctly signed, fresh Stripe envelope is accepted: the only way in.
        const envelope =
          typeof parsed === "object" &&
          parsed !== null &&
          typeof (parsed as { id?: unknown }).id === "string" &&
          typeof (parsed as { type?: unknown }).type === "string";
        count("POST /billing/webhook");
        const res = await raw("POST", "/billing/webhook", payload, {
          "content-type": "application/json",
          ...(sendable ? { "stripe-signature": header } : {}),
        });
        if (res.status === 200) {
          expect(envelope).toBe(true);
          return;
        }
        expectProblem(res, [400, 413]);
      }),
      fuzzParams(120),
    );
  });
});

/** The URL of a queue (or its DLQ) by key. */
async function queueUrl(name: string): Promise<string> {
  return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl as string;
}

/** SQS itself refuses these characters in a message body (InvalidMessageContents): not Embark's door. */
const sqsSendable = (s: string) =>
  s !== "" && !/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(s);

const SCHEMAS: Record<QueueKey, z.ZodType<unknown>> = {
  signups: TenantRef,
  emails: TenantEmailMessage,
  billing: QueuedEvent,
};

describe("queue messages", () => {
  const valid: Record<QueueKey, Record<string, unknown>> = {
    signups: { tenantId: TENANT },
    emails: { tenantId: TENANT, template: "welcome" },
    billing: {
      source: "embark.billing",
      "detail-type": "invoice.paid",
      detail: { id: "evt_x", type: "invoice.paid", created: 1, data: { object: {} } },
    },
  };

  it.each(Object.keys(valid) as QueueKey[])(
    "%s: a refused message lands in the DLQ at once, with the reason",
    async (key) => {
      const url = await queueUrl(LOCAL_NAMES.queue(key));
      const dlqUrl = await queueUrl(`${LOCAL_NAMES.queue(key)}-dlq`);
      const sent = new Map<string, string>();
      await fc.assert(
        fc.asyncProperty(fc.oneof(corruptedJson(valid[key]), notAJsonObject, hostileString), async (body) => {
          fc.pre(sqsSendable(body) && Buffer.byteLength(body) < 200_000);
          // A change that leaves a valid message (an extra field) is processed as one: not this property's case.
          fc.pre(!checkMessage(SCHEMAS[key], { messageId: "m", body }).ok);
          count(`queue ${key}`);
          const out = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
          sent.set(out.MessageId as string, body);
        }),
        fuzzParams(15, 0.25),
      );
      // Every one arrives in the DLQ with its reason (other suites' dead letters are left alone).
      const found = new Map<string, string>();
      const deadline = Date.now() + 20_000 + sent.size * 100;
      while (found.size < sent.size && Date.now() < deadline) {
        const got = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: dlqUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            VisibilityTimeout: 30,
            MessageAttributeNames: ["All"],
          }),
        );
        for (const m of got.Messages ?? []) {
          const id = m.MessageAttributes?.[REJECTION_ATTRIBUTES.messageId]?.StringValue;
          if (!id || !sent.has(id)) continue;
          found.set(id, m.MessageAttributes?.[REJECTION_ATTRIBUTES.reason]?.StringValue ?? "");
          expect(m.Body === sent.get(id) || (sent.get(id) === "" && m.Body === "(empty message)")).toBe(true);
          await sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: m.ReceiptHandle }));
        }
      }
      expect([...found.keys()].sort()).toEqual([...sent.keys()].sort());
      for (const [id, reason] of found)
        expect(reason).toMatch(new RegExp(`^Message ${id} (is not JSON|is invalid: .+)`, "s"));
    },
  );
});

describe("state machine inputs", () => {
  const machineArn = (key: (typeof STATE_MACHINE_KEYS)[number]) =>
    `arn:aws:states:us-east-1:000000000000:stateMachine:${LOCAL_NAMES.stateMachine(key)}`;

  it.each(STATE_MACHINE_KEYS)(
    "%s: a hostile input fails the first step with a precise error",
    async (key) => {
      const inputs = fc.oneof(
        corruptedJson({ tenantId: randomUUID(), eventId: "evt_1", plan: "standard" }),
        fc.constantFrom(
          "{}",
          "[]",
          '"x"',
          "null",
          '{"tenantId":"__proto__"}',
          `{"tenantId":"${"x".repeat(5000)}"}`,
        ),
      );
      const started: { arn: string; input: string }[] = [];
      await fc.assert(
        fc.asyncProperty(inputs, async (input) => {
          fc.pre(sqsSendable(input));
          count(`state machine ${key}`);
          const out = await sfn.send(
            new StartExecutionCommand({
              stateMachineArn: machineArn(key),
              name: `fuzz-${randomUUID()}`,
              input,
            }),
          );
          started.push({ arn: out.executionArn as string, input });
        }),
        fuzzParams(8, 0.1),
      );
      for (const { arn, input } of started) {
        let status = "RUNNING";
        const deadline = Date.now() + 20_000;
        while (status === "RUNNING" && Date.now() < deadline) {
          const d = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
          status = d.status ?? "";
          if (status === "RUNNING") await new Promise((r) => setTimeout(r, 100));
        }
        expect(status, input.slice(0, 100)).toBe("FAILED");
        const history = await sfn.send(
          new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000 }),
        );
        const failed = history.events?.find((e) => e.type === "ExecutionFailed")?.executionFailedEventDetails;
        // The step refused its payload, the workflow could not even build it (no $.tenantId to read), or the
        // payload was well-formed and names no tenant.
        const why: Record<string, RegExp> = {
          ValidationError: /The input of [a-z-]+ is invalid: .+/,
          "States.Runtime": /tenantId|JSONPath|\$\./,
          TenantNotFoundError: /Tenant [0-9a-f-]{36} does not exist/,
        };
        expect(Object.keys(why), `${input.slice(0, 80)}: ${failed?.cause}`).toContain(failed?.error);
        expect(failed?.cause).toMatch(why[failed?.error as string] as RegExp);
        const entered = history.events
          ?.filter((e) => e.type === "TaskStateEntered")
          .map((e) => e.stateEnteredEventDetails?.name);
        expect(entered?.length, `${key}: only the first step ran`).toBeLessThanOrEqual(1);
      }
    },
  );
});

describe("EventBridge events, invoked as the rules deliver them", () => {
  const envelope = (source: string, detailType: string, detail: unknown) => ({
    version: "0",
    id: randomUUID(),
    "detail-type": detailType,
    source,
    account: "000000000000",
    time: new Date().toISOString(),
    region: "us-east-1",
    resources: [],
    detail,
  });
  const targets = [
    {
      fn: "pipeline-callback",
      event: (detail: unknown) =>
        envelope("aws.codepipeline", "CodePipeline Pipeline Execution State Change", detail),
      valid: { pipeline: LOCAL_NAMES.pipeline, "execution-id": randomUUID(), state: "SUCCEEDED" },
      what: "The pipeline state change event",
    },
    {
      fn: "record-failure",
      event: (detail: unknown) => envelope("aws.states", "Step Functions Execution Status Change", detail),
      valid: {
        executionArn: "arn:aws:states:us-east-1:000000000000:execution:embark-onboarding:x-onboard-1",
        stateMachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:embark-onboarding",
        name: "x-onboard-1",
        status: "FAILED",
        input: "{}",
      },
      what: "The execution status change event",
    },
    {
      fn: "record-email-sent",
      event: (detail: unknown) => envelope("aws.ses", "Email Sent", detail),
      valid: {
        eventType: "Send",
        mail: {
          messageId: "0100018c-hostile",
          timestamp: new Date().toISOString(),
          tags: { "embark-tenant": [randomUUID()], "embark-email": ["welcome"] },
        },
        send: {},
      },
      what: "The Email Sent event",
    },
  ];

  it.each(targets)(
    "$fn: a malformed detail is refused with a ValidationError naming the field",
    async (t) => {
      await fc.assert(
        fc.asyncProperty(corruptedJson(t.valid), async (detail) => {
          count(`event ${t.fn}`);
          const out = await lambda.send(
            new InvokeCommand({
              FunctionName: t.fn,
              Payload: Buffer.from(JSON.stringify(t.event(JSON.parse(detail)))),
            }),
          );
          const payload = JSON.parse(Buffer.from(out.Payload ?? []).toString() || "null") as {
            errorType?: string;
            errorMessage?: string;
          } | null;
          if (!out.FunctionError) return; // the change left a valid event (an extra field, a value that still fits)
          expect(payload?.errorType, payload?.errorMessage).toBe("ValidationError");
          expect(payload?.errorMessage).toMatch(new RegExp(`^${t.what} is invalid: detail\\..+`));
        }),
        fuzzParams(40, 0.5),
      );
    },
  );
});

describe("nothing half-made", () => {
  it("no tenant, slug claim, user pool or namespace exists for a refused input", async () => {
    // Pools and namespaces first, then the tenants: a tenant always exists before its pool or namespace does.
    const cognito = new CognitoIdentityProviderClient(awsConfig());
    const pools = (await cognito.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools ?? [];
    cognito.destroy();
    const { CoreV1Api } = await import("@kubernetes/client-node");
    const core = kubeConfigFor(cloud().kubernetes).makeApiClient(CoreV1Api);
    const namespaces = (await core.listNamespace()).items.filter((n) =>
      n.metadata?.name?.startsWith("tenant-"),
    );
    const items = await scanTenantsTable();
    const tenants = new Set(
      items.filter((i) => String(i.pk).startsWith("TENANT#")).map((i) => String(i.tenantId)),
    );

    expect(items.filter((i) => String(i.adminEmail ?? "").endsWith(DOMAIN))).toEqual([]);
    const strayPools = pools
      .filter((p) => p.Name?.startsWith(POOL_NAME_PREFIX))
      .filter((p) => !tenants.has(String(p.Name?.slice(POOL_NAME_PREFIX.length))));
    expect(strayPools).toEqual([]);
    const strayNamespaces = namespaces.filter(
      (n) => !tenants.has(String(n.metadata?.labels?.[TENANT_ID_LABEL])),
    );
    expect(strayNamespaces.map((n) => n.metadata?.name)).toEqual([]);

    // Every slug claimed while this file ran belongs to a tenant (a signup in flight elsewhere writes its tenant
    // right after its claim: look again after a moment).
    const orphans = async () => {
      const now = await scanTenantsTable();
      const ids = new Set(
        now.filter((i) => String(i.pk).startsWith("TENANT#")).map((i) => String(i.tenantId)),
      );
      return now.filter(
        (i) =>
          String(i.pk).startsWith("SLUG#") && String(i.createdAt) >= STARTED && !ids.has(String(i.tenantId)),
      );
    };
    if ((await orphans()).length > 0) await new Promise((r) => setTimeout(r, 2000));
    expect(await orphans()).toEqual([]);
  });
});

async function scanTenantsTable(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({ TableName: LOCAL_NAMES.table("tenants"), ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
