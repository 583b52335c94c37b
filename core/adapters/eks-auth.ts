/**
 * An EKS bearer token, as `aws eks get-token` makes it: `k8s-aws-v1.` + base64url (no padding) of a presigned
 * STS GetCallerIdentity URL whose signature covers the header `x-k8s-aws-id: <cluster>`. The API server
 * replays the URL against STS to learn who we are; the token is valid for 60 s, so build one per invocation.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

export const EKS_TOKEN_PREFIX = "k8s-aws-v1.";
export const EKS_TOKEN_EXPIRES_SECONDS = 60;

export interface EksTokenOptions {
  clusterName: string;
  region: string;
  /** Default: the SDK's default credential chain (the Lambda role's credentials in Lambda). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Signing time (tests). */
  signingDate?: Date;
}

function stsHostname(region: string): string {
  return region.startsWith("cn-") ? `sts.${region}.amazonaws.com.cn` : `sts.${region}.amazonaws.com`;
}

export async function eksBearerToken(opts: EksTokenOptions): Promise<string> {
  const hostname = stsHostname(opts.region);
  const signer = new SignatureV4({
    service: "sts",
    region: opts.region,
    credentials: opts.credentials ?? defaultProvider(),
    sha256: Sha256,
  });
  const presigned = await signer.presign(
    new HttpRequest({
      method: "GET",
      protocol: "https:",
      hostname,
      path: "/",
      query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
      headers: { host: hostname, "x-k8s-aws-id": opts.clusterName },
    }),
    { expiresIn: EKS_TOKEN_EXPIRES_SECONDS, signingDate: opts.signingDate },
  );
  const query = Object.entries(presigned.query ?? {})
    .flatMap(([key, value]) => (Array.isArray(value) ? value.map((v) => [key, v]) : [[key, value ?? ""]]))
    .map(([key, value]) => `${encodeURIComponent(key!)}=${encodeURIComponent(value!)}`)
    .join("&");
  const url = `https://${hostname}/?${query}`;
  return EKS_TOKEN_PREFIX + Buffer.from(url, "utf8").toString("base64url");
}
