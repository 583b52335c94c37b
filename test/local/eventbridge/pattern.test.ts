import { describe, expect, it } from "vitest";
import {
  EventPatternError,
  matchesPattern,
  parseEventPattern,
  validateEventPattern,
} from "../../../local/eventbridge/pattern.js";

// The example event of the EventBridge user guide, with a richer detail.
const event = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "111122223333",
  time: "2017-12-22T18:43:48Z",
  region: "us-west-1",
  resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  detail: {
    "instance-id": "i-1234567890abcdef0",
    state: "terminated",
    "c-count": 5,
    "d-count": 3.5,
    flag: true,
    eventVersion: "",
    responseElements: null,
    sourceIPAddress: "10.0.0.123",
    ipv6: "2001:db8::1",
    FileName: "photos/Cat.PNG",
    tags: ["blue", "green"],
    items: [
      { name: "a", qty: 1 },
      { name: "b", qty: 10 },
    ],
    nested: { deep: { value: "x" } },
  },
};

const m = (pattern: unknown) => matchesPattern(pattern as Record<string, unknown>, event);

describe("exact values", () => {
  it("matches equal strings and requires every key (AND)", () => {
    expect(m({ source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] })).toBe(true);
    expect(m({ source: ["aws.ec2"], "detail-type": ["Other"] })).toBe(false);
  });

  it("treats the values of one key as OR", () => {
    expect(m({ source: ["aws.s3", "aws.ec2"] })).toBe(true);
    expect(m({ source: ["aws.s3", "aws.sqs"] })).toBe(false);
  });

  it("is case sensitive and typed", () => {
    expect(m({ source: ["AWS.EC2"] })).toBe(false);
    expect(m({ detail: { "c-count": [5] } })).toBe(true);
    expect(m({ detail: { "c-count": ["5"] } })).toBe(false);
    expect(m({ detail: { flag: [true] } })).toBe(true);
    expect(m({ detail: { flag: ["true"] } })).toBe(false);
  });

  it("matches nested detail fields and fails on a missing field", () => {
    expect(m({ detail: { state: ["terminated"] } })).toBe(true);
    expect(m({ detail: { nested: { deep: { value: ["x"] } } } })).toBe(true);
    expect(m({ detail: { nested: { deep: { value: ["y"] } } } })).toBe(false);
    expect(m({ detail: { missing: ["x"] } })).toBe(false);
    expect(m({ detail: { state: { inner: ["x"] } } })).toBe(false);
  });

  it("matches an event array when any element matches", () => {
    expect(m({ detail: { tags: ["green"] } })).toBe(true);
    expect(m({ detail: { tags: ["red", "blue"] } })).toBe(true);
    expect(m({ detail: { tags: ["red"] } })).toBe(false);
    expect(m({ resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"] })).toBe(true);
  });

  it("matches nested patterns against any object in an event array", () => {
    expect(m({ detail: { items: { name: ["b"] } } })).toBe(true);
    expect(m({ detail: { items: { name: ["z"] } } })).toBe(false);
    expect(m({ detail: { items: { qty: [{ numeric: [">", 5] }] } } })).toBe(true);
  });
});

describe("null and empty string", () => {
  it("matches null only with null and '' only with ''", () => {
    expect(m({ detail: { responseElements: [null] } })).toBe(true);
    expect(m({ detail: { responseElements: [""] } })).toBe(false);
    expect(m({ detail: { eventVersion: [""] } })).toBe(true);
    expect(m({ detail: { eventVersion: [null] } })).toBe(false);
  });

  it("does not match null against a missing field", () => {
    expect(m({ detail: { absent: [null] } })).toBe(false);
  });
});

describe("prefix and suffix", () => {
  it("matches prefixes of strings only", () => {
    expect(m({ time: [{ prefix: "2017-12-22" }] })).toBe(true);
    expect(m({ time: [{ prefix: "2018" }] })).toBe(false);
    expect(m({ detail: { "c-count": [{ prefix: "5" }] } })).toBe(false);
  });

  it("supports prefix with equals-ignore-case", () => {
    expect(m({ "detail-type": [{ prefix: { "equals-ignore-case": "ec2 instance" } }] })).toBe(true);
    expect(m({ "detail-type": [{ prefix: "ec2 instance" }] })).toBe(false);
  });

  it("matches suffixes, also ignoring case", () => {
    expect(m({ detail: { FileName: [{ suffix: ".PNG" }] } })).toBe(true);
    expect(m({ detail: { FileName: [{ suffix: ".png" }] } })).toBe(false);
    expect(m({ detail: { FileName: [{ suffix: { "equals-ignore-case": ".png" } }] } })).toBe(true);
  });
});

describe("equals-ignore-case", () => {
  it("compares without regard to case", () => {
    expect(m({ detail: { state: [{ "equals-ignore-case": "TERMINATED" }] } })).toBe(true);
    expect(m({ detail: { state: [{ "equals-ignore-case": "running" }] } })).toBe(false);
  });
});

describe("wildcard", () => {
  it.each([
    ["photos/*.PNG", true],
    ["*Cat*", true],
    ["photos/*.jpg", false],
    ["photos/Cat.PNG", true],
  ])("matches * as any run of characters (%s against photos/Cat.PNG: %s)", (wildcard, matches) => {
    expect(m({ detail: { FileName: [{ wildcard }] } })).toBe(matches);
  });

  it("treats regex characters literally and supports escaped stars", () => {
    expect(matchesPattern({ a: [{ wildcard: "a.c" }] }, { a: "abc" })).toBe(false);
    expect(matchesPattern({ a: [{ wildcard: "a\\*c" }] }, { a: "a*c" })).toBe(true);
    expect(matchesPattern({ a: [{ wildcard: "a\\*c" }] }, { a: "abc" })).toBe(false);
  });

  it("rejects consecutive wildcards", () => {
    expect(() => validateEventPattern({ a: [{ wildcard: "a**b" }] })).toThrow(/Consecutive wildcard/);
  });
});

describe("anything-but", () => {
  it("excludes a single string or number", () => {
    expect(m({ detail: { state: [{ "anything-but": "running" }] } })).toBe(true);
    expect(m({ detail: { state: [{ "anything-but": "terminated" }] } })).toBe(false);
    expect(m({ detail: { "c-count": [{ "anything-but": 5 }] } })).toBe(false);
    expect(m({ detail: { "c-count": [{ "anything-but": 6 }] } })).toBe(true);
  });

  it("excludes a list", () => {
    expect(m({ detail: { state: [{ "anything-but": ["stopped", "terminated"] }] } })).toBe(false);
    expect(m({ detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } })).toBe(true);
    expect(m({ detail: { "c-count": [{ "anything-but": [100, 200] }] } })).toBe(true);
  });

  it("excludes a prefix and a suffix", () => {
    expect(m({ region: [{ "anything-but": { prefix: "us-" } }] })).toBe(false);
    expect(m({ region: [{ "anything-but": { prefix: "eu-" } }] })).toBe(true);
    expect(m({ detail: { FileName: [{ "anything-but": { suffix: ".PNG" } }] } })).toBe(false);
    expect(m({ detail: { FileName: [{ "anything-but": { suffix: ".gif" } }] } })).toBe(true);
  });

  it("excludes ignoring case and by wildcard", () => {
    expect(m({ detail: { state: [{ "anything-but": { "equals-ignore-case": "TERMINATED" } }] } })).toBe(
      false,
    );
    expect(m({ detail: { state: [{ "anything-but": { "equals-ignore-case": ["RUNNING", "x"] } }] } })).toBe(
      true,
    );
    expect(m({ detail: { FileName: [{ "anything-but": { wildcard: "photos/*" } }] } })).toBe(false);
    expect(m({ detail: { FileName: [{ "anything-but": { wildcard: "docs/*" } }] } })).toBe(true);
  });

  it("does not match a missing field", () => {
    expect(m({ detail: { absent: [{ "anything-but": "x" }] } })).toBe(false);
  });

  it("rejects a mixed list", () => {
    expect(() => validateEventPattern({ a: [{ "anything-but": ["x", 1] }] })).toThrow(EventPatternError);
  });
});

describe("numeric", () => {
  it("matches open and closed ranges", () => {
    expect(m({ detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } })).toBe(true);
    expect(m({ detail: { "c-count": [{ numeric: [">", 0, "<", 5] }] } })).toBe(false);
    expect(m({ detail: { "c-count": [{ numeric: [">=", 5] }] } })).toBe(true);
    expect(m({ detail: { "c-count": [{ numeric: [">", 5] }] } })).toBe(false);
    expect(m({ detail: { "d-count": [{ numeric: ["<", 10] }] } })).toBe(true);
    expect(m({ detail: { "d-count": [{ numeric: ["<=", 3.5] }] } })).toBe(true);
    expect(m({ detail: { "d-count": [{ numeric: ["<", 3.5] }] } })).toBe(false);
  });

  it("matches equality, including exponent notation", () => {
    expect(m({ detail: { "c-count": [{ numeric: ["=", 5] }] } })).toBe(true);
    expect(m({ detail: { "c-count": [{ numeric: ["=", 0.5e1] }] } })).toBe(true);
    expect(m({ detail: { "c-count": [{ numeric: ["=", 6] }] } })).toBe(false);
  });

  it("only matches numbers", () => {
    expect(matchesPattern({ a: [{ numeric: [">", 0] }] }, { a: "5" })).toBe(false);
  });

  it("ORs ranges given as separate matchers", () => {
    expect(m({ detail: { "c-count": [{ numeric: ["<", 0] }, { numeric: [">", 4] }] } })).toBe(true);
  });

  it("rejects malformed ranges", () => {
    for (const bad of [[">", 5, ">", 6], ["<", 1, ">", 5], ["==", 1], [">", "1"], ["=", 1, "<", 2], [">"]]) {
      expect(() => validateEventPattern({ a: [{ numeric: bad }] })).toThrow(EventPatternError);
    }
  });
});

describe("exists", () => {
  it("matches the presence and absence of leaf fields", () => {
    expect(m({ detail: { state: [{ exists: true }] } })).toBe(true);
    expect(m({ detail: { state: [{ exists: false }] } })).toBe(false);
    expect(m({ detail: { "x-count": [{ exists: false }] } })).toBe(true);
    expect(m({ detail: { "x-count": [{ exists: true }] } })).toBe(false);
    expect(m({ detail: { responseElements: [{ exists: true }] } })).toBe(true);
  });

  it("only sees leaves: an intermediate object counts as absent", () => {
    expect(m({ detail: { nested: [{ exists: false }] } })).toBe(true);
    expect(m({ detail: { nested: [{ exists: true }] } })).toBe(false);
  });

  it("matches exists:false under a missing parent", () => {
    expect(m({ absent: { child: [{ exists: false }] } })).toBe(true);
  });
});

describe("cidr", () => {
  it.each([
    { field: "sourceIPAddress", cidr: "10.0.0.0/24", matches: true },
    { field: "sourceIPAddress", cidr: "10.0.1.0/24", matches: false },
    { field: "ipv6", cidr: "2001:db8::/32", matches: true },
    { field: "ipv6", cidr: "2001:db9::/32", matches: false },
  ])("matches IPv4 and IPv6 ranges ($field in $cidr: $matches)", ({ field, cidr, matches }) => {
    expect(m({ detail: { [field]: [{ cidr }] } })).toBe(matches);
  });

  it("rejects malformed CIDRs", () => {
    expect(() => validateEventPattern({ a: [{ cidr: "10.0.0.0/33" }] })).toThrow(EventPatternError);
    expect(() => validateEventPattern({ a: [{ cidr: "not-an-ip" }] })).toThrow(EventPatternError);
  });
});

describe("$or", () => {
  it("matches when any alternative matches, ANDed with the other keys", () => {
    const pattern = {
      source: ["aws.ec2"],
      $or: [{ detail: { state: ["running"] } }, { detail: { "c-count": [{ numeric: [">", 4] }] } }],
    };
    expect(m(pattern)).toBe(true);
    expect(m({ ...pattern, source: ["aws.s3"] })).toBe(false);
    expect(m({ $or: [{ detail: { state: ["running"] } }, { region: ["eu-west-1"] }] })).toBe(false);
  });

  it("works inside nested objects", () => {
    expect(m({ detail: { $or: [{ state: ["running"] }, { flag: [true] }] } })).toBe(true);
  });

  it("needs at least two alternatives", () => {
    expect(() => validateEventPattern({ $or: [{ a: ["x"] }] })).toThrow(EventPatternError);
  });
});

describe("validation", () => {
  it("accepts pattern text and rejects what EventBridge rejects", () => {
    expect(parseEventPattern('{"source":["a"]}')).toEqual({ source: ["a"] });
    const bad = [
      "not json",
      "[]",
      "{}",
      '{"source":"aws.ec2"}',
      '{"source":[]}',
      '{"source":[["nested"]]}',
      '{"source":[{"prefix":1}]}',
      '{"source":[{"unknown-op":"x"}]}',
      '{"source":[{"prefix":"a","suffix":"b"}]}',
      '{"detail":{"x":[{"exists":"yes"}]}}',
      '{"detail":{}}',
    ];
    for (const text of bad) expect(() => parseEventPattern(text), text).toThrow(EventPatternError);
  });

  it("names the problem the way AWS does", () => {
    expect(() => parseEventPattern('{"source":"x"}')).toThrow(/^Event pattern is not valid\. Reason: /);
  });

  it("makes matchesPattern throw on a bad pattern instead of not matching", () => {
    expect(() => matchesPattern({ source: "aws.ec2" }, event)).toThrow(EventPatternError);
    expect(matchesPattern('{"source":["aws.ec2"]}', event)).toBe(true);
  });
});
