/**
 * DynamoRateLimiter on the local cloud's DynamoDB, through the real SDK: concurrent takes (as from many Lambda
 * instances) never count past the limit, the refusal says when the window ends, and the counter item carries its
 * TTL attribute.
 */
import { randomUUID } from "node:crypto";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { documentClient } from "../../../core/adapters/dynamo.js";
import { DynamoRateLimiter } from "../../../core/adapters/rate-limiter.js";
import { LOCAL_NAMES } from "../../../core/app/resources.js";
import { useEmbarkEnvironment } from "../../support/embark.js";

const TABLE = LOCAL_NAMES.table("rateLimits");
let limiter: DynamoRateLimiter;

beforeAll(() => {
  useEmbarkEnvironment();
  limiter = new DynamoRateLimiter(documentClient(), TABLE);
});

describe("DynamoRateLimiter", () => {
  it("25 concurrent takes against a limit of 5: exactly 5 are counted", async () => {
    const key = `test#${randomUUID()}`;
    const now = new Date("2026-03-01T12:00:10Z");
    const takes = await Promise.all(Array.from({ length: 25 }, () => limiter.take(key, 5, 60, now)));
    const ok = takes.filter((t) => t.ok);
    expect(ok).toHaveLength(5);
    expect(ok.map((t) => (t.ok ? t.count : 0)).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(takes.filter((t) => !t.ok)).toEqual(Array(20).fill({ ok: false, retryAfterSeconds: 50 }));

    const windowStart = Math.floor(now.getTime() / 1000 / 60) * 60;
    const item = await documentClient().send(
      new GetCommand({ TableName: TABLE, Key: { pk: `LIMIT#${key}#${windowStart}` } }),
    );
    expect(item.Item).toEqual({ pk: `LIMIT#${key}#${windowStart}`, hits: 5, expiresAt: windowStart + 120 });
  });

  it("the next window starts from zero", async () => {
    const key = `test#${randomUUID()}`;
    expect(await limiter.take(key, 1, 60, new Date("2026-03-01T12:00:59Z"))).toEqual({ ok: true, count: 1 });
    expect(await limiter.take(key, 1, 60, new Date("2026-03-01T12:00:59Z"))).toEqual({
      ok: false,
      retryAfterSeconds: 1,
    });
    expect(await limiter.take(key, 1, 60, new Date("2026-03-01T12:01:00Z"))).toEqual({ ok: true, count: 1 });
  });
});
