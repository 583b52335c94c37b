// The Task resources the local Step Functions can run, called the way AWS's service integrations call them:
// Lambda (direct ARN and `lambda:invoke`) through the local function registry, SQS and EventBridge through the
// edge with the real SDK clients. Errors are named as Step Functions names them, so Retry/Catch match the same.

import { randomUUID } from "node:crypto";
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { localClientConfig } from "../aws/client-config.js";
import { AwsError } from "../aws/errors.js";
import type { LocalContext } from "../context.js";
import { taskInvocation } from "../faults/delivery.js";
import { TaskFailure } from "./task-failure.js";

export type ResourceKind = "lambda-function" | "lambda-invoke" | "sqs-send" | "events-put";

export interface TaskResource {
  kind: ResourceKind | "unsupported";
  /** As AWS reports it in TaskScheduled/TaskSucceeded…: e.g. "lambda" / "invoke.waitForTaskToken". */
  resourceType: string;
  resource: string;
  waitForTaskToken: boolean;
  /** The state's Resource field. */
  arn: string;
}

export function parseResource(arn: string): TaskResource {
  if (/^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:[^:]+/.test(arn)) {
    return { kind: "lambda-function", resourceType: "lambda", resource: arn, waitForTaskToken: false, arn };
  }
  const m = /^arn:aws[\w-]*:states:[^:]*:[^:]*:([\w-]+):([\w]+)(?:\.(sync|waitForTaskToken))?$/.exec(arn);
  if (m?.[1] && m[2]) {
    const [, service, action, pattern] = m;
    const resource = pattern ? `${action}.${pattern}` : action;
    const wait = pattern === "waitForTaskToken";
    const base = { resourceType: service, resource, waitForTaskToken: wait, arn };
    if (pattern !== "sync") {
      if (service === "lambda" && action === "invoke") return { kind: "lambda-invoke", ...base };
      if (service === "sqs" && action === "sendMessage") return { kind: "sqs-send", ...base };
      if (service === "events" && action === "putEvents") return { kind: "events-put", ...base };
    }
    return { kind: "unsupported", ...base };
  }
  return { kind: "unsupported", resourceType: "unknown", resource: arn, waitForTaskToken: false, arn };
}

type Params = Record<string, unknown>;

export class Integrations {
  private sqsClient?: SQSClient;
  private eventsClient?: EventBridgeClient;

  constructor(private readonly ctx: LocalContext) {}

  /** Runs the resource's call (for `.waitForTaskToken`, the call that hands the token out). */
  async call(resource: TaskResource, input: unknown): Promise<unknown> {
    switch (resource.kind) {
      case "lambda-function":
        return this.invokeFunction(resource.resource, input);
      case "lambda-invoke":
        return this.lambdaInvoke(asParams(input));
      case "sqs-send":
        return this.sqsSendMessage(asParams(input));
      case "events-put":
        return this.eventsPutEvents(asParams(input));
      default:
        throw new TaskFailure(
          "States.Runtime",
          `The local Step Functions cannot run resource '${resource.arn}'`,
          { terminal: true },
        );
    }
  }

  /** RequestResponse invocation; the function's result, JSON-cloned as it would cross the wire. */
  private async invokeFunction(functionName: string, payload: unknown): Promise<unknown> {
    let result: unknown;
    try {
      // Fault plan hook (local/faults/): invoked twice, or dies after its side effect.
      result = await taskInvocation(functionName, () =>
        this.ctx.functions.invoke(functionName, structuredJson(payload)),
      );
    } catch (err) {
      throw lambdaFailure(err);
    }
    return structuredJson(result);
  }

  private async lambdaInvoke(params: Params): Promise<unknown> {
    const functionName = params.FunctionName;
    if (typeof functionName !== "string") {
      throw new TaskFailure(
        "Lambda.InvalidParameterValueException",
        "FunctionName is required (Parameters.FunctionName) for arn:aws:states:::lambda:invoke",
      );
    }
    const payload = params.Payload ?? {};
    const requestId = randomUUID();
    if (params.InvocationType === "Event" || params.InvocationType === "DryRun") {
      if (params.InvocationType === "Event") {
        this.invokeFunction(functionName, payload).catch((err) => {
          console.warn(`[stepfunctions] async invoke of ${functionName} failed:`, (err as Error).message);
        });
      }
      const status = params.InvocationType === "Event" ? 202 : 204;
      return {
        Payload: "",
        SdkHttpMetadata: httpMetadata(requestId, status),
        SdkResponseMetadata: { RequestId: requestId },
        StatusCode: status,
      };
    }
    const result = await this.invokeFunction(functionName, payload);
    return {
      ExecutedVersion: "$LATEST",
      Payload: result,
      SdkHttpMetadata: httpMetadata(requestId, 200, { "X-Amz-Executed-Version": "$LATEST" }),
      SdkResponseMetadata: { RequestId: requestId },
      StatusCode: 200,
    };
  }

  private async sqsSendMessage(params: Params): Promise<unknown> {
    this.sqsClient ??= new SQSClient({ ...localClientConfig(this.ctx.edgeUrl), maxAttempts: 1 });
    const body = params.MessageBody;
    try {
      const out = await this.sqsClient.send(
        new SendMessageCommand({
          ...(params as object),
          QueueUrl: String(params.QueueUrl ?? ""),
          // AWS serializes a JSON MessageBody to a string.
          MessageBody: typeof body === "string" ? body : JSON.stringify(body ?? null),
        }),
      );
      const requestId = out.$metadata.requestId ?? randomUUID();
      return dropUndefined({
        MD5OfMessageBody: out.MD5OfMessageBody,
        MD5OfMessageAttributes: out.MD5OfMessageAttributes,
        MessageId: out.MessageId,
        SequenceNumber: out.SequenceNumber,
        SdkHttpMetadata: httpMetadata(requestId, out.$metadata.httpStatusCode ?? 200),
        SdkResponseMetadata: { RequestId: requestId },
      });
    } catch (err) {
      throw sdkFailure("SQS", "AmazonSQS", err);
    }
  }

  private async eventsPutEvents(params: Params): Promise<unknown> {
    this.eventsClient ??= new EventBridgeClient({ ...localClientConfig(this.ctx.edgeUrl), maxAttempts: 1 });
    const entries = Array.isArray(params.Entries) ? (params.Entries as Params[]) : [];
    const out = await this.eventsClient
      .send(
        new PutEventsCommand({
          Entries: entries.map(
            (entry) =>
              ({
                ...entry,
                // AWS serializes a JSON Detail to a string.
                Detail: typeof entry.Detail === "string" ? entry.Detail : JSON.stringify(entry.Detail ?? {}),
              }) as PutEventsRequestEntry,
          ),
        }),
      )
      .catch((err) => {
        throw sdkFailure("EventBridge", "AmazonEventBridge", err);
      });
    if ((out.FailedEntryCount ?? 0) > 0) {
      throw new TaskFailure(
        "EventBridge.FailedEntry",
        JSON.stringify({ Entries: out.Entries, FailedEntryCount: out.FailedEntryCount }),
      );
    }
    return { Entries: out.Entries ?? [], FailedEntryCount: 0 };
  }
}

function asParams(input: unknown): Params {
  return input && typeof input === "object" && !Array.isArray(input) ? (input as Params) : {};
}

function structuredJson(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/** A function's error → Step Functions' error: the runtime's errorType, cause = the Lambda error payload. */
function lambdaFailure(err: unknown): TaskFailure {
  if (err instanceof AwsError) {
    return new TaskFailure(
      `Lambda.${err.code}`,
      `${err.message} (Service: AWSLambda; Status Code: ${err.status}; Error Code: ${err.code}; Request ID: ${randomUUID()}; Proxy: null)`,
    );
  }
  const isError = err instanceof Error;
  const errorType = isError ? err.name || "Error" : typeof err;
  const payload: Record<string, unknown> = {
    errorType,
    errorMessage: isError ? err.message : String(err),
  };
  if (isError && err.stack) payload.trace = err.stack.split("\n");
  return new TaskFailure(errorType, JSON.stringify(payload));
}

/** SDK errors as the Java SDK behind Step Functions names them: "<Svc>.<Exception>", "<Svc>.SdkClientException". */
function sdkFailure(prefix: string, sdkName: string, err: unknown): TaskFailure {
  const e = err as {
    name?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number; requestId?: string };
  };
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) {
    return new TaskFailure(
      `${prefix}.SdkClientException`,
      `Unable to execute HTTP request: ${e.message ?? String(err)}`,
    );
  }
  const code = e.name ?? "Unknown";
  const modeled =
    status < 500 && code !== "Unknown" && !/Throttl|InternalFailure|ServiceUnavailable/.test(code);
  const error = modeled
    ? `${prefix}.${code.endsWith("Exception") ? code : `${code}Exception`}`
    : `${prefix}.${sdkName}Exception`;
  return new TaskFailure(
    error,
    `${e.message ?? code} (Service: ${sdkName}; Status Code: ${status}; Error Code: ${code}; Request ID: ${e.$metadata?.requestId ?? randomUUID()}; Proxy: null)`,
  );
}

function httpMetadata(requestId: string, status: number, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    Date: new Date().toUTCString(),
    "x-amzn-RequestId": requestId,
    ...extra,
  };
  return {
    AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    HttpHeaders: headers,
    HttpStatusCode: status,
  };
}

function dropUndefined(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}
