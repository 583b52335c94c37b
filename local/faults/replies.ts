/**
 * What an injected throttle or server error looks like on the wire, per service and protocol, as AWS (and the
 * apiserver) send them, so the real SDKs classify them as they would on AWS: throttles are retried with backoff
 * (THROTTLING_ERROR_CODES / HTTP 429), 5xx as transient errors.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

type Protocol = "json" | "query" | "rest-json";

function protocolOf(req: IncomingMessage): Protocol {
  if (typeof req.headers["x-amz-target"] === "string") return "json";
  if (String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded"))
    return "query";
  return "rest-json";
}

/** The throttling error code each service uses (JSON `__type`, query `Code`, REST `x-amzn-ErrorType`). */
function throttleCode(service: string, protocol: Protocol): string {
  switch (service) {
    case "dynamodb":
      return "com.amazonaws.dynamodb.v20120810#ThrottlingException";
    case "sqs":
      return protocol === "json" ? "com.amazonaws.sqs#RequestThrottled" : "RequestThrottled";
    case "cognito-idp":
    case "lambda":
      return "TooManyRequestsException";
    case "ses":
    case "email":
      return protocol === "query" ? "Throttling" : "TooManyRequestsException";
    default:
      return "ThrottlingException";
  }
}

function serverErrorCode(service: string, status: number): string {
  if (status === 503) return service === "dynamodb" ? "ServiceUnavailable" : "ServiceUnavailableException";
  switch (service) {
    case "dynamodb":
      return "com.amazonaws.dynamodb.v20120810#InternalServerError";
    case "sqs":
      return "com.amazonaws.sqs#InternalError";
    case "cognito-idp":
      return "InternalErrorException";
    case "lambda":
      return "ServiceException";
    default:
      return "InternalFailure";
  }
}

/** An AWS service's throttling answer, or its 5xx (`status` 500 or 503). */
export function awsFaultReply(
  service: string,
  req: IncomingMessage,
  fault: "throttle" | "serverError",
  status5xx: 500 | 503 = 500,
): Reply {
  const protocol = protocolOf(req);
  const throttle = fault === "throttle";
  const code = throttle ? throttleCode(service, protocol) : serverErrorCode(service, status5xx);
  const message = throttle ? "Rate exceeded" : "We encountered an internal error. Please try again.";
  const requestId = randomUUID();
  const shortCode = code.split("#").at(-1)!;
  if (protocol === "query") {
    // The query protocol (SES v1, SQS from the AWS CLI v1): an XML ErrorResponse, 400 for throttles.
    const type = throttle ? "Sender" : "Receiver";
    return {
      status: throttle ? 400 : status5xx,
      headers: { "content-type": "text/xml", "x-amzn-requestid": requestId },
      body: `<ErrorResponse xmlns="http://${service}.amazonaws.com/doc/"><Error><Type>${type}</Type><Code>${shortCode}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  if (protocol === "json") {
    // awsJson: 400 with `__type` for client errors (throttles included), 5xx for server faults. SQS is
    // query-compatible: its SDK takes the code from x-amzn-query-error.
    const headers: Record<string, string> = {
      "content-type": String(req.headers["content-type"] ?? "application/x-amz-json-1.1"),
      "x-amzn-requestid": requestId,
      "x-amzn-errortype": shortCode,
    };
    if (service === "sqs") headers["x-amzn-query-error"] = `${shortCode};${throttle ? "Sender" : "Receiver"}`;
    return {
      status: throttle ? 400 : status5xx,
      headers,
      body: JSON.stringify({ __type: code, message }),
    };
  }
  // REST-JSON (Lambda, Scheduler, SES v2): 429 for throttles, the code in x-amzn-ErrorType.
  const body: Record<string, unknown> = { message };
  if (service === "lambda") {
    body.Type = throttle ? "User" : "Service";
    if (throttle) body.Reason = "CallerRateLimitExceeded";
  }
  return {
    status: throttle ? 429 : status5xx,
    headers: {
      "content-type": "application/json",
      "x-amzn-requestid": requestId,
      "x-amzn-errortype": shortCode,
      ...(throttle ? { "retry-after": "1" } : {}),
    },
    body: JSON.stringify(body),
  };
}

/** The apiserver's answers: 429 TooManyRequests with Retry-After, 500 InternalError, 503 ServiceUnavailable. */
export function kubeFaultReply(fault: "throttle" | "serverError", status5xx: 500 | 503 = 500): Reply {
  const status = fault === "throttle" ? 429 : status5xx;
  const reason =
    fault === "throttle" ? "TooManyRequests" : status === 503 ? "ServiceUnavailable" : "InternalError";
  const message =
    fault === "throttle"
      ? "Too many requests, please try again later."
      : status === 503
        ? "the server is currently unable to handle the request"
        : "Internal error occurred: injected fault";
  return {
    status,
    headers: { "content-type": "application/json", ...(fault === "throttle" ? { "retry-after": "1" } : {}) },
    body: JSON.stringify({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message,
      reason,
      details: fault === "throttle" ? { retryAfterSeconds: 1 } : {},
      code: status,
    }),
  };
}
