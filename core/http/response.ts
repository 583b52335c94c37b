import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/** An HTTP API (payload 2.0) JSON response. */
export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
    body: JSON.stringify(body),
  };
}

/** `{error: {code, message, field?}}`: the one error shape every Embark endpoint answers with. */
export function problem(
  statusCode: number,
  code: string,
  message: string,
  field?: string,
  headers: Record<string, string> = {},
) {
  return json(statusCode, { error: { code, message, ...(field ? { field } : {}) } }, headers);
}

/** The raw request body as text (API Gateway base64-encodes non-text bodies). */
export function bodyText(event: Pick<APIGatewayProxyEventV2, "body" | "isBase64Encoded">): string {
  if (!event.body) return "";
  return event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
}
