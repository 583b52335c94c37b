/**
 * The AWS-shaped Context a handler gets, built from plain fields and the invocation's deadline, so a worker
 * thread can rebuild it from a message (functions do not cross threads) and `getRemainingTimeInMillis()` still
 * counts down to the deadline the main thread enforces.
 */
import type { Context } from "aws-lambda";

export interface ContextFields {
  functionName: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
}

export function lambdaContext(fields: ContextFields, deadline: number): Context {
  return {
    ...fields,
    callbackWaitsForEmptyEventLoop: false,
    functionVersion: "$LATEST",
    logGroupName: `/aws/lambda/${fields.functionName}`,
    logStreamName: `local/${fields.awsRequestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
