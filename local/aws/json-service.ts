import type { IncomingMessage, ServerResponse } from "node:http";
import { AwsError } from "./errors.js";

/**
 * A locally implemented AWS service spoken over the AWS JSON protocol (X-Amz-Target: <prefix>.<Operation>).
 * Step Functions (AWSStepFunctions, JSON 1.0), EventBridge (AWSEvents, JSON 1.1) and CodePipeline
 * (CodePipeline_20150709, JSON 1.1) are served this way by the edge router.
 */
export interface JsonService {
  /** SigV4 credential-scope service name, e.g. "states". */
  readonly signingName: string;
  /** X-Amz-Target prefix, e.g. "AWSStepFunctions". */
  readonly targetPrefix: string;
  /** Runs one operation; throws AwsError for AWS-style failures. Returns the JSON response body. */
  handle(operation: string, input: Record<string, unknown>): Promise<unknown>;
}

/** A locally implemented AWS service with a REST protocol (e.g. Lambda's Invoke API); it writes the response itself. */
export interface HttpService {
  readonly signingName: string;
  handleHttp(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void>;
}

/** A JsonService's `handle` over a table of operations; anything else is AWS's UnknownOperationException. */
export function operationTable(
  serviceName: string,
  operations: Record<string, (input: Record<string, unknown>) => unknown>,
): JsonService["handle"] {
  return async (operation, input) => {
    const op = operations[operation];
    if (!op) {
      throw new AwsError(
        "UnknownOperationException",
        `The local ${serviceName} does not implement ${operation}.`,
      );
    }
    return op(input ?? {});
  };
}
