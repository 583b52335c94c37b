// The local EventBridge driven through the edge with the real AWS SDK clients: buses, rules, targets,
// PutEvents delivery to SQS, input transformation, dead-lettering, persistence and TestEventPattern.
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  type PutEventsRequestEntry,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  type Target,
  TestEventPatternCommand,
} from "@aws-sdk/client-eventbridge";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { createEventBridgeService } from "../../../local/eventbridge/service.js";
import { FunctionRegistry } from "../../../local/lambda/registry.js";
import { awsConfig, cloud } from "../../support/cloud.js";
import { createQueue, queueArn, receiveUntil, ruleToQueue } from "../../support/queues.js";

const events = new EventBridgeClient(awsConfig());
const sqs = new SQSClient(awsConfig());
const run = randomUUID().slice(0, 8);

afterAll(() => {
  events.destroy();
  sqs.destroy();
});

const queue = (label: string) => createQueue(sqs, `eb-${label}-${run}`);

/** Receives (and deletes) messages until `want` have arrived or the deadline passes. */
const receive = (url: string, want: number, deadlineMs = 15_000) =>
  receiveUntil(sqs, url, (got) => got.length >= want, deadlineMs);

/** A rule on `bus` sending to a fresh queue; returns the queue. */
async function ruledQueue(
  label: string,
  pattern: unknown,
  target: Partial<Target> = {},
  bus?: string,
): Promise<{ url: string; rule: string }> {
  const q = await queue(label);
  const rule = `rule-${label}-${run}`;
  await ruleToQueue(events, { name: rule, pattern, queue: q.name, bus, target });
  return { url: q.url, rule };
}

function entry(
  detail: Record<string, unknown>,
  extra: Partial<PutEventsRequestEntry> = {},
): PutEventsRequestEntry {
  return {
    Source: `embark.test.${run}`,
    DetailType: "Thing Happened",
    Detail: JSON.stringify(detail),
    ...extra,
  };
}

describe("event buses", () => {
  it("always has the default bus and cannot delete it", async () => {
    const out = await events.send(new DescribeEventBusCommand({}));
    expect(out.Name).toBe("default");
    expect(out.Arn).toBe("arn:aws:events:us-east-1:000000000000:event-bus/default");
    await expect(events.send(new DeleteEventBusCommand({ Name: "default" }))).rejects.toMatchObject({
      name: "ValidationException",
    });
  });

  it("creates, lists, describes and deletes a custom bus", async () => {
    const name = `bus-${run}`;
    const created = await events.send(new CreateEventBusCommand({ Name: name }));
    expect(created.EventBusArn).toBe(`arn:aws:events:us-east-1:000000000000:event-bus/${name}`);
    await expect(events.send(new CreateEventBusCommand({ Name: name }))).rejects.toMatchObject({
      name: "ResourceAlreadyExistsException",
    });
    const listed = await events.send(new ListEventBusesCommand({ NamePrefix: "bus-" }));
    expect(listed.EventBuses?.map((b) => b.Name)).toContain(name);
    const described = await events.send(new DescribeEventBusCommand({ Name: name }));
    expect(described.CreationTime).toBeInstanceOf(Date);
    await events.send(new DeleteEventBusCommand({ Name: name }));
    await expect(events.send(new DescribeEventBusCommand({ Name: name }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
  });
});

describe("rules", () => {
  it("refuses invalid patterns and unknown buses", async () => {
    await expect(
      events.send(new PutRuleCommand({ Name: `bad-${run}`, EventPattern: '{"source":"not-an-array"}' })),
    ).rejects.toMatchObject({ name: "InvalidEventPatternException" });
    await expect(
      events.send(new PutRuleCommand({ Name: `bad-${run}`, EventPattern: "{not json" })),
    ).rejects.toMatchObject({ name: "InvalidEventPatternException" });
    await expect(
      events.send(
        new PutRuleCommand({
          Name: `bad-${run}`,
          EventPattern: '{"source":["x"]}',
          EventBusName: `nope-${run}`,
        }),
      ),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    await expect(events.send(new PutRuleCommand({ Name: `bad-${run}` }))).rejects.toMatchObject({
      name: "ValidationException",
    });
  });

  it("describes, lists by prefix and bus, and only deletes a rule without targets", async () => {
    const bus = `rules-bus-${run}`;
    await events.send(new CreateEventBusCommand({ Name: bus }));
    const name = `listed-${run}`;
    const pattern = JSON.stringify({ source: ["a"] });
    const put = await events.send(
      new PutRuleCommand({ Name: name, EventPattern: pattern, EventBusName: bus }),
    );
    expect(put.RuleArn).toBe(`arn:aws:events:us-east-1:000000000000:rule/${bus}/${name}`);

    const described = await events.send(new DescribeRuleCommand({ Name: name, EventBusName: bus }));
    expect(described).toMatchObject({
      Name: name,
      EventPattern: pattern,
      State: "ENABLED",
      EventBusName: bus,
    });
    await expect(events.send(new DescribeRuleCommand({ Name: name }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });

    const listed = await events.send(new ListRulesCommand({ EventBusName: bus, NamePrefix: "listed-" }));
    expect(listed.Rules?.map((r) => r.Name)).toEqual([name]);
    const none = await events.send(new ListRulesCommand({ EventBusName: bus, NamePrefix: "other-" }));
    expect(none.Rules).toEqual([]);

    await events.send(new DisableRuleCommand({ Name: name, EventBusName: bus }));
    expect((await events.send(new DescribeRuleCommand({ Name: name, EventBusName: bus }))).State).toBe(
      "DISABLED",
    );
    await events.send(new EnableRuleCommand({ Name: name, EventBusName: bus }));
    expect((await events.send(new DescribeRuleCommand({ Name: name, EventBusName: bus }))).State).toBe(
      "ENABLED",
    );

    await events.send(
      new PutTargetsCommand({ Rule: name, EventBusName: bus, Targets: [{ Id: "t1", Arn: queueArn("x") }] }),
    );
    const targets = await events.send(new ListTargetsByRuleCommand({ Rule: name, EventBusName: bus }));
    expect(targets.Targets).toEqual([{ Id: "t1", Arn: queueArn("x") }]);
    await expect(events.send(new DeleteRuleCommand({ Name: name, EventBusName: bus }))).rejects.toMatchObject(
      {
        name: "ValidationException",
      },
    );
    await events.send(new RemoveTargetsCommand({ Rule: name, EventBusName: bus, Ids: ["t1"] }));
    await events.send(new DeleteRuleCommand({ Name: name, EventBusName: bus }));
    await expect(
      events.send(new DescribeRuleCommand({ Name: name, EventBusName: bus })),
    ).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
  });

  it("refuses more than one of Input, InputPath and InputTransformer", async () => {
    const name = `exclusive-${run}`;
    await events.send(new PutRuleCommand({ Name: name, EventPattern: '{"source":["a"]}' }));
    await expect(
      events.send(
        new PutTargetsCommand({
          Rule: name,
          Targets: [{ Id: "t", Arn: queueArn("x"), Input: "{}", InputPath: "$.detail" }],
        }),
      ),
    ).rejects.toMatchObject({ name: "ValidationException" });
  });

  it("requires SqsParameters.MessageGroupId for a FIFO queue target", async () => {
    const name = `fifo-${run}`;
    await events.send(new PutRuleCommand({ Name: name, EventPattern: '{"source":["a"]}' }));
    await expect(
      events.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: "t", Arn: queueArn("x.fifo") }] })),
    ).rejects.toMatchObject({ name: "ValidationException" });
    await events.send(
      new PutTargetsCommand({
        Rule: name,
        Targets: [{ Id: "t", Arn: queueArn("x.fifo"), SqsParameters: { MessageGroupId: "g" } }],
      }),
    );
  });

  it("keeps rules and targets across a restart (a second service reads the same state)", async () => {
    const name = `persisted-${run}`;
    const pattern = JSON.stringify({ source: ["persisted"], detail: { n: [{ numeric: [">", 1] }] } });
    await events.send(new PutRuleCommand({ Name: name, EventPattern: pattern, State: "DISABLED" }));
    await events.send(
      new PutTargetsCommand({
        Rule: name,
        Targets: [{ Id: "keep", Arn: queueArn("kept"), InputPath: "$.detail" }],
      }),
    );
    const restarted = await createEventBridgeService({
      stateDir: join(cloud().stateDir, "eventbridge"),
      edgeUrl: cloud().edge,
      region: "us-east-1",
      accountId: "000000000000",
      functions: new FunctionRegistry(),
    });
    try {
      expect(await restarted.handle("DescribeRule", { Name: name })).toMatchObject({
        Name: name,
        EventPattern: pattern,
        State: "DISABLED",
      });
      expect(await restarted.handle("ListTargetsByRule", { Rule: name })).toMatchObject({
        Targets: [{ Id: "keep", Arn: queueArn("kept"), InputPath: "$.detail" }],
      });
    } finally {
      await restarted.stop();
    }
  });
});

describe("PutEvents", () => {
  it("delivers a matching event to an SQS target in AWS's event shape", async () => {
    const { url } = await ruledQueue("match", {
      source: [`embark.test.${run}`],
      "detail-type": ["Thing Happened"],
      detail: { kind: ["match"] },
    });
    const at = new Date("2026-01-02T03:04:05Z");
    const out = await events.send(
      new PutEventsCommand({ Entries: [entry({ kind: "match", n: 1 }, { Time: at, Resources: ["arn:x"] })] }),
    );
    expect(out.FailedEntryCount).toBe(0);
    const [message] = await receive(url, 1);
    expect(JSON.parse(message!.Body!)).toEqual({
      version: "0",
      id: out.Entries![0]!.EventId,
      "detail-type": "Thing Happened",
      source: `embark.test.${run}`,
      account: "000000000000",
      time: "2026-01-02T03:04:05Z",
      region: "us-east-1",
      resources: ["arn:x"],
      detail: { kind: "match", n: 1 },
    });
  });

  it("does not deliver events the pattern does not match, nor to disabled rules", async () => {
    const { url, rule } = await ruledQueue("nomatch", {
      source: [`embark.test.${run}`],
      detail: { kind: ["wanted"], size: [{ numeric: [">=", 10] }] },
    });
    await events.send(
      new PutEventsCommand({
        Entries: [
          entry({ kind: "unwanted", size: 50 }),
          entry({ kind: "wanted", size: 5 }),
          entry({ kind: "wanted", size: 10, marker: "yes" }),
        ],
      }),
    );
    const first = await receive(url, 1);
    expect(first.map((m) => JSON.parse(m.Body!).detail)).toEqual([
      { kind: "wanted", size: 10, marker: "yes" },
    ]);

    await events.send(new DisableRuleCommand({ Name: rule }));
    await events.send(
      new PutEventsCommand({ Entries: [entry({ kind: "wanted", size: 99, marker: "disabled" })] }),
    );
    await events.send(new EnableRuleCommand({ Name: rule }));
    await events.send(
      new PutEventsCommand({ Entries: [entry({ kind: "wanted", size: 11, marker: "enabled" })] }),
    );
    const second = await receive(url, 1);
    // Anything that slipped through (a non-match, or the event sent while disabled) would show up here too.
    second.push(...(await receive(url, 1, 1500)));
    expect(second.map((m) => JSON.parse(m.Body!).detail.marker)).toEqual(["enabled"]);
  });

  it("applies an InputTransformer, InputPath and constant Input", async () => {
    const pattern = { source: [`embark.test.${run}`], detail: { kind: ["transform"] } };
    const transformed = await ruledQueue("transform", pattern, {
      InputTransformer: {
        InputPathsMap: { tenant: "$.detail.tenant", plan: "$.detail.plan", seats: "$.detail.seats" },
        InputTemplate:
          '{"tenant": <tenant>, "summary": "<tenant> is on <plan>", "seats": <seats>, "rule": <aws.events.rule-name>}',
      },
    });
    const picked = await ruledQueue("inputpath", pattern, { InputPath: "$.detail" });
    const constant = await ruledQueue("constant", pattern, { Input: '{"fixed":true}' });
    const text = await ruledQueue("plaintext", pattern, {
      InputTransformer: {
        InputPathsMap: { tenant: "$.detail.tenant" },
        InputTemplate: "tenant <tenant> changed",
      },
    });

    await events.send(
      new PutEventsCommand({
        Entries: [entry({ kind: "transform", tenant: "acme", plan: "enterprise", seats: 25 })],
      }),
    );

    const [t] = await receive(transformed.url, 1);
    expect(JSON.parse(t!.Body!)).toEqual({
      tenant: "acme",
      summary: "acme is on enterprise",
      seats: 25,
      rule: transformed.rule,
    });
    const [p] = await receive(picked.url, 1);
    expect(JSON.parse(p!.Body!)).toEqual({
      kind: "transform",
      tenant: "acme",
      plan: "enterprise",
      seats: 25,
    });
    const [c] = await receive(constant.url, 1);
    expect(c!.Body).toBe('{"fixed":true}');
    const [x] = await receive(text.url, 1);
    expect(x!.Body).toBe("tenant acme changed");
  });

  it("routes events on a custom bus only to that bus's rules", async () => {
    const bus = `route-bus-${run}`;
    await events.send(new CreateEventBusCommand({ Name: bus }));
    const pattern = { source: [`embark.test.${run}`], detail: { kind: ["bus"] } };
    const onBus = await ruledQueue("onbus", pattern, {}, bus);
    const onDefault = await ruledQueue("ondefault", pattern);
    await events.send(
      new PutEventsCommand({ Entries: [entry({ kind: "bus", where: "custom" }, { EventBusName: bus })] }),
    );
    await events.send(new PutEventsCommand({ Entries: [entry({ kind: "bus", where: "default" })] }));
    const custom = await receive(onBus.url, 1);
    const dflt = await receive(onDefault.url, 1);
    custom.push(...(await receive(onBus.url, 1, 1000)));
    expect(custom.map((m) => JSON.parse(m.Body!).detail.where)).toEqual(["custom"]);
    expect(dflt.map((m) => JSON.parse(m.Body!).detail.where)).toEqual(["default"]);
  });

  it("reports bad entries in FailedEntryCount while good ones still get an EventId", async () => {
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          entry({ ok: 1 }),
          { DetailType: "No Source", Detail: "{}" },
          entry({}, { Detail: "{not json" }),
          entry({}, { Detail: "[1,2]" }),
          entry({ ok: 2 }, { EventBusName: `missing-${run}` }),
          entry({ ok: 3 }),
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(4);
    const results = out.Entries!;
    expect(results).toHaveLength(6);
    expect(results[0]!.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(results[1]).toMatchObject({ ErrorCode: "InvalidArgument" });
    expect(results[1]!.ErrorMessage).toMatch(/Source/);
    expect(results[1]!.EventId).toBeUndefined();
    expect(results[2]).toMatchObject({ ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." });
    expect(results[3]).toMatchObject({ ErrorCode: "MalformedDetail" });
    expect(results[4]).toMatchObject({ ErrorCode: "ResourceNotFoundException" });
    expect(results[5]!.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(results[5]!.EventId).not.toBe(results[0]!.EventId);
  });

  it("refuses zero or more than ten entries", async () => {
    await expect(events.send(new PutEventsCommand({ Entries: [] }))).rejects.toMatchObject({
      name: "ValidationException",
    });
    const eleven = Array.from({ length: 11 }, (_, i) => entry({ i }));
    await expect(events.send(new PutEventsCommand({ Entries: eleven }))).rejects.toMatchObject({
      name: "ValidationException",
    });
  });

  it("sends undeliverable events to the target's dead-letter queue with AWS's attributes", async () => {
    const dlq = await queue("dlq");
    const rule = `rule-dlq-${run}`;
    await events.send(
      new PutRuleCommand({ Name: rule, EventPattern: JSON.stringify({ detail: { kind: [`dlq-${run}`] } }) }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: rule,
        Targets: [
          {
            Id: "gone",
            Arn: queueArn(`does-not-exist-${run}`),
            DeadLetterConfig: { Arn: dlq.arn },
            RetryPolicy: { MaximumRetryAttempts: 1 },
          },
        ],
      }),
    );
    const out = await events.send(new PutEventsCommand({ Entries: [entry({ kind: `dlq-${run}` })] }));
    const [message] = await receive(dlq.url, 1);
    expect(JSON.parse(message!.Body!).id).toBe(out.Entries![0]!.EventId);
    const attrs = message!.MessageAttributes!;
    expect(attrs.RULE_ARN?.StringValue).toBe(`arn:aws:events:us-east-1:000000000000:rule/${rule}`);
    expect(attrs.TARGET_ARN?.StringValue).toBe(queueArn(`does-not-exist-${run}`));
    expect(attrs.ERROR_CODE?.StringValue).toMatch(/NonExistentQueue|QueueDoesNotExist/);
    expect(attrs.RETRY_ATTEMPTS?.StringValue).toBe("0");
  });
});

describe("TestEventPattern", () => {
  const event = {
    version: "0",
    id: "e1",
    "detail-type": "Tenant Plan Changed",
    source: "embark.billing",
    account: "000000000000",
    time: "2026-01-02T03:04:05Z",
    region: "us-east-1",
    resources: ["arn:aws:embark:tenant/acme"],
    detail: {
      tenant: "acme",
      plan: "Enterprise",
      seats: 25,
      file: "invoices/2026/jan.pdf",
      ip: "10.1.2.3",
      note: null,
      empty: "",
      tags: ["vip", "eu"],
    },
  };
  const test = async (pattern: unknown) =>
    (
      await events.send(
        new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: JSON.stringify(event) }),
      )
    ).Result;

  it.each([
    ["exact", { source: ["embark.billing"] }, { source: ["embark.other"] }],
    [
      "OR within an array",
      { detail: { plan: ["Free", "Enterprise"] } },
      { detail: { plan: ["Free", "Standard"] } },
    ],
    [
      "nested AND",
      { source: ["embark.billing"], detail: { tenant: ["acme"] } },
      { source: ["embark.billing"], detail: { tenant: ["globex"] } },
    ],
    ["event arrays", { detail: { tags: ["eu"] } }, { detail: { tags: ["us"] } }],
    ["prefix", { "detail-type": [{ prefix: "Tenant" }] }, { "detail-type": [{ prefix: "tenant" }] }],
    [
      "prefix ignoring case",
      { "detail-type": [{ prefix: { "equals-ignore-case": "tenant" } }] },
      { "detail-type": [{ prefix: { "equals-ignore-case": "billing" } }] },
    ],
    ["suffix", { detail: { file: [{ suffix: ".pdf" }] } }, { detail: { file: [{ suffix: ".png" }] } }],
    [
      "equals-ignore-case",
      { detail: { plan: [{ "equals-ignore-case": "enterprise" }] } },
      { detail: { plan: [{ "equals-ignore-case": "free" }] } },
    ],
    [
      "wildcard",
      { detail: { file: [{ wildcard: "invoices/*/jan.pdf" }] } },
      { detail: { file: [{ wildcard: "invoices/*/feb.pdf" }] } },
    ],
    [
      "anything-but value",
      { detail: { plan: [{ "anything-but": "Free" }] } },
      { detail: { plan: [{ "anything-but": "Enterprise" }] } },
    ],
    [
      "anything-but list",
      { detail: { plan: [{ "anything-but": ["Free", "Standard"] }] } },
      { detail: { plan: [{ "anything-but": ["Free", "Enterprise"] }] } },
    ],
    [
      "anything-but prefix",
      { detail: { file: [{ "anything-but": { prefix: "receipts/" } }] } },
      { detail: { file: [{ "anything-but": { prefix: "invoices/" } }] } },
    ],
    [
      "numeric range",
      { detail: { seats: [{ numeric: [">", 10, "<=", 25] }] } },
      { detail: { seats: [{ numeric: [">", 25] }] } },
    ],
    [
      "numeric equals",
      { detail: { seats: [{ numeric: ["=", 25] }] } },
      { detail: { seats: [{ numeric: ["=", 24] }] } },
    ],
    ["exists", { detail: { seats: [{ exists: true }] } }, { detail: { seats: [{ exists: false }] } }],
    ["not exists", { detail: { coupon: [{ exists: false }] } }, { detail: { coupon: [{ exists: true }] } }],
    ["null", { detail: { note: [null] } }, { detail: { empty: [null] } }],
    ["empty string", { detail: { empty: [""] } }, { detail: { note: [""] } }],
    ["cidr", { detail: { ip: [{ cidr: "10.1.0.0/16" }] } }, { detail: { ip: [{ cidr: "10.2.0.0/16" }] } }],
    [
      "$or",
      { $or: [{ detail: { plan: ["Free"] } }, { detail: { seats: [{ numeric: [">", 20] }] } }] },
      { $or: [{ detail: { plan: ["Free"] } }, { detail: { seats: [{ numeric: [">", 30] }] } }] },
    ],
  ])("%s", async (_name, matching, notMatching) => {
    expect(await test(matching)).toBe(true);
    expect(await test(notMatching)).toBe(false);
  });

  it("rejects invalid patterns and events missing required fields", async () => {
    await expect(
      events.send(
        new TestEventPatternCommand({ EventPattern: '{"detail":{"x":[]}}', Event: JSON.stringify(event) }),
      ),
    ).rejects.toMatchObject({ name: "InvalidEventPatternException" });
    const { id: _id, ...noId } = event;
    await expect(
      events.send(
        new TestEventPatternCommand({ EventPattern: '{"source":["x"]}', Event: JSON.stringify(noId) }),
      ),
    ).rejects.toMatchObject({ name: "ValidationException" });
  });
});
