/** Signup rate limits: configuration, client keys, and which limit refuses a signup (in-memory counters). */
import { describe, expect, it } from "vitest";
import {
  checkSignupLimits,
  clientKey,
  DEFAULT_SIGNUP_LIMITS,
  parseLimit,
  SignupRateLimitedError,
  signupLimits,
} from "../../../core/signup/rate-limit.js";
import { FakeRateLimiter } from "../../support/fakes/rate-limiter.js";

const at = (iso: string) => new Date(iso);

describe("signupLimits", () => {
  it("defaults to 10 per hour per IP and 30 per hour per email domain", () => {
    expect(signupLimits({})).toEqual(DEFAULT_SIGNUP_LIMITS);
    expect(DEFAULT_SIGNUP_LIMITS).toEqual({
      perIp: { limit: 10, windowSeconds: 3600 },
      perEmailDomain: { limit: 30, windowSeconds: 3600 },
    });
  });

  it("reads <count>/<seconds> and off from the environment", () => {
    expect(
      signupLimits({ EMBARK_SIGNUP_LIMIT_PER_IP: "3/60", EMBARK_SIGNUP_LIMIT_PER_EMAIL_DOMAIN: "off" }),
    ).toEqual({ perIp: { limit: 3, windowSeconds: 60 } });
  });

  it.each(["0/60", "3", "3/0", "-1/60", "ten/hour", "3/60s"])(
    "refuses %j with the variable's name",
    (raw) => {
      expect(() => parseLimit("EMBARK_SIGNUP_LIMIT_PER_IP", raw, DEFAULT_SIGNUP_LIMITS.perIp)).toThrow(
        `Invalid configuration: EMBARK_SIGNUP_LIMIT_PER_IP="${raw}" must be <count>/<seconds> (e.g. 10/3600) or off`,
      );
    },
  );
});

describe("clientKey", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["2001:db8:85a3:1:8a2e:370:7334:1", "2001:db8:85a3:1::/64"],
    ["2001:DB8:0:0:ffff::1", "2001:db8:0:0::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
  ])("%s counts as %s", (ip, key) => {
    expect(clientKey(ip)).toBe(key);
  });

  it("addresses of one IPv6 /64 share a counter", () => {
    expect(clientKey("2001:db8:1:2::a")).toBe(clientKey("2001:db8:1:2:ffff:ffff:ffff:ffff"));
    expect(clientKey("2001:db8:1:2::a")).not.toBe(clientKey("2001:db8:1:3::a"));
  });
});

describe("checkSignupLimits", () => {
  const limits = {
    perIp: { limit: 2, windowSeconds: 3600 },
    perEmailDomain: { limit: 3, windowSeconds: 3600 },
  };

  it("refuses the third signup from one IP with the time until the window ends", async () => {
    const d = { rateLimiter: new FakeRateLimiter(), limits };
    const now = at("2026-01-01T10:15:00Z");
    await checkSignupLimits(d, { sourceIp: "198.51.100.1", adminEmail: "a@one.test" }, now);
    await checkSignupLimits(d, { sourceIp: "198.51.100.1", adminEmail: "b@two.test" }, now);
    const err = await checkSignupLimits(
      d,
      { sourceIp: "198.51.100.1", adminEmail: "c@three.test" },
      now,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SignupRateLimitedError);
    expect(err).toMatchObject({
      scope: "ip",
      retryAfterSeconds: 45 * 60,
      message: "Too many signups from your network (at most 2 per 60 min); try again in 45 min",
    });
    // Another address is not affected.
    await checkSignupLimits(d, { sourceIp: "198.51.100.2", adminEmail: "d@four.test" }, now);
  });

  it("refuses the fourth signup for one email domain from any address, case-insensitively", async () => {
    const d = { rateLimiter: new FakeRateLimiter(), limits };
    const now = at("2026-01-01T10:59:30Z");
    for (const [i, email] of ["a@Acme.test", "b@acme.test", "c@ACME.TEST"].entries())
      await checkSignupLimits(d, { sourceIp: `198.51.100.${i}`, adminEmail: email }, now);
    await expect(
      checkSignupLimits(d, { sourceIp: "198.51.100.9", adminEmail: "d@acme.test" }, now),
    ).rejects.toMatchObject({
      scope: "emailDomain",
      retryAfterSeconds: 30,
      message: "Too many signups for email addresses at acme.test (at most 3 per 60 min); try again in 30 s",
    });
  });

  it("a new window counts afresh", async () => {
    const d = { rateLimiter: new FakeRateLimiter(), limits };
    for (let i = 0; i < 2; i++)
      await checkSignupLimits(
        d,
        { sourceIp: "198.51.100.1", adminEmail: `${i}@x.test` },
        at("2026-01-01T10:59:59Z"),
      );
    await checkSignupLimits(
      d,
      { sourceIp: "198.51.100.1", adminEmail: "n@y.test" },
      at("2026-01-01T11:00:00Z"),
    );
  });

  it("off counts nothing", async () => {
    const rateLimiter = new FakeRateLimiter();
    for (let i = 0; i < 50; i++)
      await checkSignupLimits(
        { rateLimiter, limits: {} },
        { sourceIp: "198.51.100.1", adminEmail: "a@x.test" },
      );
    expect(rateLimiter.counts.size).toBe(0);
  });
});
