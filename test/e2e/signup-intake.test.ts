/** POST /signups: precise 4xx errors that create nothing, slug races, and Idempotency-Key replays. */
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { documentClient } from "../../core/adapters/dynamo.js";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import {
  getTenant,
  postSignup,
  uniqueCompany,
  useEmbarkEnvironment,
  waitForTenant,
} from "../support/embark.js";

useEmbarkEnvironment();

// Unique to this run: other suites create tenants at the same time, so count only what these inputs could make.
const badEmail = `bad+${Date.now()}${process.pid}@valid.test`;
const badCompany = uniqueCompany("Valid Co");

/** Tenants (or slug claims) any of the bad signups below could have created. */
async function madeByBadSignups(): Promise<number> {
  const out = await documentClient().send(
    new ScanCommand({
      TableName: LOCAL_NAMES.table("tenants"),
      FilterExpression: "adminEmail = :e OR companyName = :c OR begins_with(companyName, :p)",
      ExpressionAttributeValues: { ":e": badEmail, ":c": badCompany, ":p": "Plan " },
    }),
  );
  return out.Items?.length ?? 0;
}

describe("bad input gets a specific error and creates nothing", () => {
  const ok = { companyName: badCompany, adminEmail: badEmail, plan: "free" };
  const cases: Array<[string, unknown, number, string]> = [
    ["missing email", { companyName: badCompany, plan: "free" }, 400, "adminEmail is required"],
    ["invalid email", { ...ok, adminEmail: "not-an-email" }, 422, "adminEmail is not a valid email address"],
    ["no valid slug", { ...ok, companyName: "!!!" }, 422, "does not yield a valid slug"],
    ["reserved slug", { ...ok, slug: "admin" }, 422, 'Slug "admin" is reserved'],
    [
      "unknown plan",
      { ...ok, companyName: uniqueCompany("Plan"), plan: "platinum" },
      422,
      'Unknown plan "platinum"',
    ],
    ["unknown field", { ...ok, password: "x" }, 400, "password"],
    ["not JSON", "{nope", 400, "not valid JSON"],
    ["oversized body", JSON.stringify({ ...ok, companyName: "x".repeat(20_000) }), 413, "at most"],
  ];
  it.each(cases)("%s", async (_name, body, status, message) => {
    const res = await postSignup(body);
    expect(res.status).toBe(status);
    expect(res.body.error?.message).toContain(message);
    expect(await madeByBadSignups()).toBe(0);
  });

  it("answers 404 for an unknown tenant", async () => {
    const res = await getTenant("00000000-0000-4000-8000-000000000000");
    expect(res.status).toBe(404);
  });
});

describe("slug uniqueness", () => {
  it("two signups for the same slug at the same moment: one tenant, one 409", async () => {
    const companyName = uniqueCompany("Race");
    const [a, b] = await Promise.all([
      postSignup({ companyName, adminEmail: "a@race.test", plan: "free" }),
      postSignup({ companyName, adminEmail: "b@race.test", plan: "free" }),
    ]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body.error?.code).toBe("slug_taken");
    const winner = a.status === 202 ? a : b;
    await waitForTenant(String(winner.body.tenantId), ["ACTIVE"]);
  });
});

describe("Idempotency-Key", () => {
  it("replaying the same key and body returns the original 202", async () => {
    const body = { companyName: uniqueCompany("Replay"), adminEmail: "r@replay.test", plan: "free" };
    const key = `test-${Date.now()}-${process.pid}`;
    const first = await postSignup(body, { "Idempotency-Key": key });
    const second = await postSignup(body, { "Idempotency-Key": key });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
  });

  it("the same key with a different body is refused", async () => {
    const key = `test-diff-${Date.now()}-${process.pid}`;
    const first = await postSignup(
      { companyName: uniqueCompany("KeyA"), adminEmail: "a@key.test", plan: "free" },
      { "Idempotency-Key": key },
    );
    const second = await postSignup(
      { companyName: uniqueCompany("KeyB"), adminEmail: "b@key.test", plan: "free" },
      { "Idempotency-Key": key },
    );
    expect(first.status).toBe(202);
    expect(second.status).toBe(422);
    expect(second.body.error?.code).toBe("idempotency_key_reused");
  });
});
