import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EKS_TOKEN_PREFIX, eksBearerToken } from "../../../core/adapters/eks-auth.js";

const credentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};
const signingDate = new Date("2026-11-23T12:00:00Z");

function decode(token: string): URL {
  expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
  const encoded = token.slice(EKS_TOKEN_PREFIX.length);
  // base64url without padding, as `aws eks get-token` emits it.
  expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
  return new URL(Buffer.from(encoded, "base64url").toString("utf8"));
}

/** SigV4 query signing recomputed independently of @smithy/signature-v4. */
function expectedSignature(url: URL, headers: Record<string, string>, secret: string): string {
  const params = [...url.searchParams.entries()].filter(([k]) => k !== "X-Amz-Signature");
  const enc = (s: string) =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const query = params
    .map(([k, v]) => [enc(k), enc(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const names = Object.keys(headers).sort();
  const canonical = [
    "GET",
    url.pathname,
    query,
    ...names.map((n) => `${n}:${headers[n]}`),
    "",
    names.join(";"),
    createHash("sha256").update("").digest("hex"),
  ].join("\n");
  const amzDate = url.searchParams.get("X-Amz-Date")!;
  const [, date, region, service] = url.searchParams.get("X-Amz-Credential")!.split("/");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = [
    "AWS4-HMAC-SHA256",
    amzDate,
    scope,
    createHash("sha256").update(canonical).digest("hex"),
  ].join("\n");
  const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date!), region!), service!), "aws4_request");
  return createHmac("sha256", key).update(toSign).digest("hex");
}

describe("eksBearerToken", () => {
  it("is a presigned STS GetCallerIdentity URL bound to the cluster, valid for 60 s", async () => {
    const token = await eksBearerToken({
      clusterName: "embark-prod",
      region: "eu-west-1",
      credentials,
      signingDate,
    });
    const url = decode(token);

    expect(url.origin).toBe("https://sts.eu-west-1.amazonaws.com");
    expect(url.pathname).toBe("/");
    expect(url.searchParams.get("Action")).toBe("GetCallerIdentity");
    expect(url.searchParams.get("Version")).toBe("2011-06-15");
    expect(url.searchParams.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("60");
    expect(url.searchParams.get("X-Amz-Date")).toBe("20261123T120000Z");
    expect(url.searchParams.get("X-Amz-Credential")).toBe("AKIDEXAMPLE/20261123/eu-west-1/sts/aws4_request");
    expect(url.searchParams.get("X-Amz-SignedHeaders")?.split(";")).toEqual(["host", "x-k8s-aws-id"]);
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get("X-Amz-Signature")).toBe(
      expectedSignature(
        url,
        { host: "sts.eu-west-1.amazonaws.com", "x-k8s-aws-id": "embark-prod" },
        credentials.secretAccessKey,
      ),
    );
  });

  it("signs the cluster name: another cluster gives another signature", async () => {
    const a = decode(
      await eksBearerToken({ clusterName: "a", region: "us-east-1", credentials, signingDate }),
    );
    const b = decode(
      await eksBearerToken({ clusterName: "b", region: "us-east-1", credentials, signingDate }),
    );
    expect(a.searchParams.get("X-Amz-Signature")).not.toBe(b.searchParams.get("X-Amz-Signature"));
  });

  it("carries a session token when the credentials have one (Lambda role credentials)", async () => {
    const url = decode(
      await eksBearerToken({
        clusterName: "c",
        region: "us-east-1",
        credentials: { ...credentials, sessionToken: "session/token+value=" },
        signingDate,
      }),
    );
    expect(url.searchParams.get("X-Amz-Security-Token")).toBe("session/token+value=");
  });
});
