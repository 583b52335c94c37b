import type { IncomingMessage } from "node:http";

const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/;

/**
 * The AWS service a request is for, as AWS's own front ends decide it: the SigV4 credential scope
 * (header or presigned query), else the X-Amz-Target prefix for unsigned calls (e.g. Cognito InitiateAuth).
 */
export function signingServiceOf(
  req: IncomingMessage,
  targetPrefixes: Map<string, string>,
): string | undefined {
  const auth = req.headers.authorization;
  const fromHeader = auth ? CREDENTIAL_SCOPE.exec(auth)?.[1] : undefined;
  if (fromHeader) return fromHeader;
  const url = new URL(req.url ?? "/", "http://edge");
  const presigned = url.searchParams.get("X-Amz-Credential");
  if (presigned) return presigned.split("/")[3];
  const target = req.headers["x-amz-target"];
  if (typeof target === "string") return targetPrefixes.get(target.split(".")[0] ?? "");
  return undefined;
}
