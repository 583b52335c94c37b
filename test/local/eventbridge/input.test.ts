import { describe, expect, it } from "vitest";
import { applyTransformer, selectPath, targetInput } from "../../../local/eventbridge/input.js";

// The EC2 event of the user guide's "Amazon EventBridge input transformation" page.
const event = {
  version: "0",
  id: "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "123456789012",
  time: "2015-11-11T21:29:54Z",
  region: "us-east-1",
  resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
  detail: { "instance-id": "i-0123456789", state: "RUNNING", count: 3, list: [1, 2] },
};
const rule = { name: "example", arn: "arn:aws:events:us-east-1:123456789012:rule/example" };
const paths = { timestamp: "$.time", instance: "$.detail.instance-id", state: "$.detail.state" };
const transform = (InputTemplate: string, InputPathsMap: Record<string, string> = paths) =>
  applyTransformer({ InputPathsMap, InputTemplate }, event, rule, "2015-11-11T21:29:55Z");

describe("InputTransformer (the user guide's examples)", () => {
  it("fills a simple string", () => {
    expect(transform('"instance <instance> is in <state>"')).toBe('"instance i-0123456789 is in RUNNING"');
  });

  it("fills a plain-text template", () => {
    expect(transform("<instance> is in state <state>")).toBe("i-0123456789 is in state RUNNING");
  });

  it("inserts JSON outside quotes and raw text inside quotes in a JSON template", () => {
    const out = transform(
      '{"instance": <instance>, "state": "<state>", "instanceStatus": "instance \\"<instance>\\" is in <state>"}',
    );
    expect(JSON.parse(out)).toEqual({
      instance: "i-0123456789",
      state: "RUNNING",
      instanceStatus: 'instance "i-0123456789" is in RUNNING',
    });
  });

  it("mixes variables and static values", () => {
    const out = transform('{"instance": <instance>, "state": [9, <state>, true], "Transformed": "Yes"}');
    expect(JSON.parse(out)).toEqual({
      instance: "i-0123456789",
      state: [9, "RUNNING", true],
      Transformed: "Yes",
    });
  });

  it("inserts numbers and objects as JSON", () => {
    const out = transform('{"n": <n>, "d": <d>, "l": <l>}', {
      n: "$.detail.count",
      d: "$.detail",
      l: "$.detail.list",
    });
    expect(JSON.parse(out)).toEqual({ n: 3, d: event.detail, l: [1, 2] });
  });

  it("provides the predefined variables", () => {
    const out = transform(
      '{"ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>, "at": <aws.events.event.ingestion-time>, "original": <aws.events.event>, "json": <aws.events.event.json>}',
    );
    const parsed = JSON.parse(out);
    expect(parsed.ruleArn).toBe(rule.arn);
    expect(parsed.ruleName).toBe("example");
    expect(parsed.at).toBe("2015-11-11T21:29:55Z");
    expect(parsed.original.id).toBe(event.id);
    expect(parsed.original.detail).toBeUndefined();
    expect(parsed.json).toEqual(event);
    expect(transform('"<aws.events.rule-name> triggered"')).toBe('"example triggered"');
  });

  it("leaves unknown placeholders and turns missing paths into null (JSON) or nothing (text)", () => {
    expect(transform("<b>bold</b> <instance>")).toBe("<b>bold</b> i-0123456789");
    expect(JSON.parse(transform('{"x": <gone>}', { gone: "$.detail.nope" }))).toEqual({ x: null });
    expect(transform('"[<gone>]"', { gone: "$.detail.nope" })).toBe('"[]"');
  });
});

describe("Input and InputPath", () => {
  it("sends the whole event by default", () => {
    expect(JSON.parse(targetInput({}, event, rule, "t"))).toEqual(event);
  });

  it("sends constant Input as is", () => {
    expect(targetInput({ Input: '{"fixed":true}' }, event, rule, "t")).toBe('{"fixed":true}');
  });

  it("sends the part InputPath selects", () => {
    expect(JSON.parse(targetInput({ InputPath: "$.detail" }, event, rule, "t"))).toEqual(event.detail);
  });
});

describe("selectPath", () => {
  it("supports the JSONPath subset AWS documents", () => {
    expect(selectPath(event, "$")).toEqual(event);
    expect(selectPath(event, "$.detail.instance-id")).toBe("i-0123456789");
    expect(selectPath(event, "$.resources[0]")).toBe(event.resources[0]);
    expect(selectPath(event, "$['detail-type']")).toBe(event["detail-type"]);
    expect(selectPath(event, "$.detail.list[*]")).toEqual([1, 2]);
    expect(selectPath(event, "$.detail.missing")).toBeUndefined();
    expect(selectPath(event, "detail")).toBeUndefined();
  });
});
