/**
 * Maps a Lambda result to the HTTP response, as API Gateway HTTP APIs do for payload format 2.0:
 * an object with `statusCode` is a structured response ({statusCode, headers, cookies, body, isBase64Encoded});
 * anything else (an object without statusCode, a string, a number) is sent as-is with 200 and
 * content-type application/json, a string as its own text. A malformed structured response is an error,
 * which API Gateway turns into 500 Internal Server Error.
 */

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

export class MalformedLambdaResponse extends Error {
  override name = "MalformedLambdaResponse";
}

export function fromLambdaResult(result: unknown): HttpResult {
  if (result === null || typeof result !== "object" || Array.isArray(result) || !("statusCode" in result)) {
    const body = typeof result === "string" ? result : JSON.stringify(result ?? null);
    return {
      statusCode: 200,
      headers: { "content-type": "application/json" },
      cookies: [],
      body: Buffer.from(body),
    };
  }
  const r = result as {
    statusCode: unknown;
    headers?: unknown;
    cookies?: unknown;
    body?: unknown;
    isBase64Encoded?: unknown;
  };
  const status = Number(r.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new MalformedLambdaResponse(`invalid statusCode ${String(r.statusCode)}`);
  }
  const headers: Record<string, string> = {};
  if (r.headers !== undefined && r.headers !== null) {
    if (typeof r.headers !== "object" || Array.isArray(r.headers))
      throw new MalformedLambdaResponse("headers must be an object");
    for (const [k, v] of Object.entries(r.headers)) {
      if (v === undefined || v === null) continue;
      if (typeof v === "object") throw new MalformedLambdaResponse(`header ${k} must be a scalar`);
      headers[k.toLowerCase()] = String(v);
    }
  }
  let cookies: string[] = [];
  if (r.cookies !== undefined && r.cookies !== null) {
    if (!Array.isArray(r.cookies)) throw new MalformedLambdaResponse("cookies must be an array");
    cookies = r.cookies.map(String);
  }
  let body = Buffer.alloc(0);
  if (r.body !== undefined && r.body !== null) {
    const text = typeof r.body === "string" ? r.body : JSON.stringify(r.body);
    body = r.isBase64Encoded === true ? Buffer.from(text, "base64") : Buffer.from(text);
  }
  if (body.length > 0 && !headers["content-type"]) headers["content-type"] = "application/json";
  return { statusCode: status, headers, cookies, body };
}
