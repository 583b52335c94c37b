/**
 * Builds the event API Gateway HTTP APIs send to a Lambda integration (payload format 2.0) from a Node request.
 *
 * Faithful to AWS: header names lower-cased and repeated headers joined with commas; the Cookie header moved
 * into `cookies`; repeated query parameters joined with commas; `rawPath`/`rawQueryString` as received; path
 * parameters decoded; a body that is not text (including form-urlencoded and bodies without a content type)
 * is base64-encoded with `isBase64Encoded: true`; the X-Forwarded-* and X-Amzn-Trace-Id headers API Gateway adds.
 *
 * Known gaps: no authorizers (`requestContext.authorizer`), no stage variables, no mTLS `authentication`;
 * `domainName` is the Host header's host name.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { LOCAL_ACCOUNT_ID } from "../aws/constants.js";

/** The route the request matched: its route key ("POST /signups", "$default"), or the route itself. */
export type MatchedRoute = { routeKey: string } | { method: string; path: string };

function routeKeyOf(route: MatchedRoute): string {
  if ("routeKey" in route) return route.routeKey;
  return route.path === "$default" ? "$default" : `${route.method.toUpperCase()} ${route.path}`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export function toApiGatewayV2Event(
  req: IncomingMessage,
  body: Buffer,
  route: MatchedRoute,
  pathParams: Record<string, string>,
): APIGatewayProxyEventV2 {
  const now = new Date();
  const routeKey = routeKeyOf(route);
  const rawUrl = req.url ?? "/";
  const q = rawUrl.indexOf("?");
  const rawPath = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
  const rawQueryString = q >= 0 ? rawUrl.slice(q + 1) : "";
  const sourceIp = (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, "");
  const { headers, cookies } = collectHeaders(req.rawHeaders);
  const host = headers.host ?? "localhost";
  const domainName = host.replace(/:\d+$/, "");
  const requestId = randomBytes(11).toString("base64");
  // Headers API Gateway adds on the way in.
  headers["x-forwarded-for"] = headers["x-forwarded-for"]
    ? `${headers["x-forwarded-for"]}, ${sourceIp}`
    : sourceIp;
  headers["x-forwarded-port"] ??= String(req.socket.localPort ?? 80);
  headers["x-forwarded-proto"] ??= "http";
  headers["x-amzn-trace-id"] ??= traceId(now);

  const event: APIGatewayProxyEventV2 = {
    version: "2.0",
    routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...queryParams(rawQueryString),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: "local",
      domainName,
      domainPrefix: domainName.split(".")[0] ?? domainName,
      http: {
        method: (req.method ?? "GET").toUpperCase(),
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId,
      routeKey,
      stage: "$default",
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    ...(Object.keys(pathParams).length > 0 ? { pathParameters: pathParams } : {}),
    isBase64Encoded: false,
  };
  if (body.length > 0) {
    const text = isTextContentType(headers["content-type"]);
    event.body = text ? body.toString("utf8") : body.toString("base64");
    event.isBase64Encoded = !text;
  }
  return event;
}

/** Lower-cased names, repeated headers joined with ","; cookies split out of the Cookie header(s). */
function collectHeaders(raw: string[]): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    if (name === "cookie") {
      for (const c of value.split(";")) if (c.trim()) cookies.push(c.trim());
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return { headers, cookies };
}

function queryParams(raw: string): { queryStringParameters?: Record<string, string> } {
  if (!raw) return {};
  const out: Record<string, string> = {};
  for (const pair of raw.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const k = decodeQueryPart(eq >= 0 ? pair.slice(0, eq) : pair);
    const v = eq >= 0 ? decodeQueryPart(pair.slice(eq + 1)) : "";
    out[k] = k in out ? `${out[k]},${v}` : v;
  }
  return Object.keys(out).length > 0 ? { queryStringParameters: out } : {};
}

function decodeQueryPart(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

/** Content types API Gateway passes through as text; everything else arrives base64-encoded. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  return (
    type.startsWith("text/") ||
    type === "application/json" ||
    type.endsWith("+json") ||
    type === "application/xml" ||
    type.endsWith("+xml") ||
    type === "application/javascript" ||
    type === "application/graphql"
  );
}

/** API Gateway's `time` format: 12/Mar/2020:19:03:58 +0000. */
function clfTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function traceId(d: Date): string {
  return `Root=1-${Math.floor(d.getTime() / 1000).toString(16)}-${randomBytes(12).toString("hex")}`;
}
