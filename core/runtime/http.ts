/**
 * The HTTP side of the handler kit (API Gateway HTTP API, payload 2.0): JSON bodies read with a size limit, and
 * errors answered from a table of error classes, in the spirit of @middy/http-error-handler but with Embark's
 * one error shape `{error: {code, message, field?}}`. Anything not in the table stays a 500.
 */
import type middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { bodyText, problem } from "../http/response.js";

/** An answer a handler gives by throwing: status, code, message and the field it concerns. */
export class HttpProblem extends Error {
  override name = "HttpProblem";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: error classes take any constructor arguments
type ErrorClass = abstract new (...args: any[]) => Error;

export interface ErrorAnswer {
  error: ErrorClass;
  status: number;
  code: string;
  /** Default: the error's own message. */
  message?: string;
  field?: string;
  /** Response headers taken from the error (Retry-After). */
  headers?: (err: Error) => Record<string, string>;
}

/** middy middleware: an error thrown by the handler becomes the answer its class has in `answers`. */
export function errorAnswers(
  answers: readonly ErrorAnswer[],
): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    onError: async (request) => {
      const err = request.error;
      if (err instanceof HttpProblem) {
        request.response = problem(err.status, err.code, err.message, err.field);
        return;
      }
      const answer = answers.find((a) => err instanceof a.error);
      if (answer) {
        request.response = problem(
          answer.status,
          answer.code,
          answer.message ?? String(err?.message),
          answer.field,
          answer.headers?.(err as Error),
        );
      }
    },
  };
}

/** The request body parsed as JSON, or an HttpProblem (413 too large, 400 not JSON). */
export function jsonBody(
  event: Pick<APIGatewayProxyEventV2, "body" | "isBase64Encoded">,
  maxBytes: number,
): unknown {
  const text = bodyText(event);
  if (Buffer.byteLength(text) > maxBytes) {
    throw new HttpProblem(413, "body_too_large", `The request body must be at most ${maxBytes} bytes`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpProblem(400, "invalid_json", "The request body is not valid JSON");
  }
}
