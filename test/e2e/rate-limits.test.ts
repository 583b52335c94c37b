/**
 * Signup rate limits through the real HTTP path: what `npm start` runs, with tight limits set in its
 * environment, and requests from distinct loopback addresses (127.0.0.x), which the local API Gateway puts in
 * requestContext.http.sourceIp as AWS does. The 429 carries Retry-After and Embark's error shape; the counters
 * are DynamoDB items every Lambda instance shares.
 */

import { request } from "node:http";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import { localClientConfig } from "../../local/aws/client-config.js";
import { CloudProcess } from "../support/cloud-process.js";

let cloud: CloudProcess;
let endpoints: { web: string; edge: string };
const run = Date.now().toString(36);

beforeAll(async () => {
  cloud = await CloudProcess.create({
    env: {
      EMBARK_SIGNUP_LIMIT_PER_IP: "3/3600",
      EMBARK_SIGNUP_LIMIT_PER_EMAIL_DOMAIN: "4/3600",
      POWERTOOLS_LOG_LEVEL: "ERROR",
    },
  });
  endpoints = await cloud.start({ fresh: true, timeoutMs: 90_000 });
}, 120_000);

afterAll(async () => {
  await cloud?.dispose();
});

/** POST /signups from a given local address. */
function signupFrom(
  localAddress: string,
  body: Record<string, string>,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { error: { code: string; message: string } };
}> {
  const url = new URL(`${endpoints.web}/signups`);
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        localAddress,
        headers: { "content-type": "application/json" },
      },
      (res) => {
        let data = "";
        res.on("data", (c) => {
          data += c;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(data) }),
        );
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}

const form = (n: string, domain: string) => ({
  companyName: `Limit ${run} ${n}`,
  adminEmail: `admin-${n}@${domain}`,
  plan: "free",
});

describe("signup rate limits", () => {
  it("the fourth signup from one client address gets 429 with Retry-After; another address is unaffected", async () => {
    const ip = "127.0.0.21";
    for (const n of ["a1", "a2", "a3"]) {
      const r = await signupFrom(ip, form(n, `${n}-${run}.test`));
      expect(r.status, JSON.stringify(r.body)).toBe(202);
    }
    const refused = await signupFrom(ip, form("a4", `a4-${run}.test`));
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      error: {
        code: "rate_limited",
        // Windows are clock hours: in an hour's last 90 s the wait is given in seconds.
        message: expect.stringMatching(
          /^Too many signups from your network \(at most 3 per 60 min\); try again in \d+ (s|min)$/,
        ),
      },
    });
    const retryAfter = Number(refused.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    // The refused signup made no tenant: its slug is free.
    const slug = await fetch(`${endpoints.web}/slugs/limit-${run}-a4`).then((r) => r.json());
    expect(slug).toEqual({ slug: `limit-${run}-a4`, available: true });

    const other = await signupFrom("127.0.0.22", form("b1", `b1-${run}.test`));
    expect(other.status).toBe(202);
  });

  it("the fifth signup for one email domain gets 429 from any address", async () => {
    const domain = `shared-${run}.test`;
    for (const [i, n] of ["c1", "c2", "c3", "c4"].entries()) {
      const r = await signupFrom(`127.0.0.${31 + i}`, form(n, domain));
      expect(r.status, JSON.stringify(r.body)).toBe(202);
    }
    const refused = await signupFrom("127.0.0.35", form("c5", domain.toUpperCase()));
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("rate_limited");
    expect(refused.body.error.message).toMatch(
      new RegExp(
        `^Too many signups for email addresses at ${domain} \\(at most 4 per 60 min\\); try again in \\d+ (s|min)$`,
      ),
    );
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
  });

  it("an invalid signup is refused before it counts", async () => {
    const ip = "127.0.0.41";
    for (let i = 0; i < 5; i++) {
      const r = await signupFrom(ip, { ...form(`d${i}`, `d-${run}.test`), companyName: "<b>bad</b>" });
      expect(r.status).toBe(422);
    }
    expect((await signupFrom(ip, form("d9", `d9-${run}.test`))).status).toBe(202);
  });

  it("the counters are DynamoDB items with a TTL attribute", async () => {
    const ddb = new DynamoDBClient(localClientConfig(endpoints.edge));
    const items =
      (await ddb.send(new ScanCommand({ TableName: LOCAL_NAMES.table("rateLimits") }))).Items ?? [];
    const ipItem = items.find((i) => i.pk?.S?.startsWith("LIMIT#signup#ip#127.0.0.21#"));
    expect(ipItem?.hits?.N).toBe("3");
    expect(Number(ipItem?.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000);
    ddb.destroy();
  });
});
