/**
 * Local stand-in for the Lambda REST API (2015-03-31), served on the edge for SigV4 service "lambda":
 * Invoke (RequestResponse, Event, DryRun), ListFunctions, GetFunction and GetFunctionConfiguration over the
 * in-process FunctionRegistry.
 *
 * Faithful where callers can tell: a function error is HTTP 200 with `X-Amz-Function-Error: Unhandled` and an
 * `{errorType, errorMessage, trace}` payload; unknown functions are 404 ResourceNotFoundException; Event
 * invocations answer 202 once journaled (local/lambda/async-invocations.ts: they survive a kill and resume
 * after a restart) and are retried twice on error, as Lambda's async queue does.
 *
 * Known gaps: qualifiers, aliases and versions are ignored ($LATEST only); async retries wait 1 s and 2 s
 * (AWS: about 1 and 2 minutes) and there are no async destinations or DLQs; `X-Amz-Log-Type: Tail` returns no
 * log; function configuration is the registry's (name, timeout, memory), the rest is fixed.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { LOCAL_ACCOUNT_ID } from "../aws/constants.js";
import { AwsError } from "../aws/errors.js";
import type { LocalContext } from "../context.js";
import { type FunctionDefinition, functionArn, functionNameOf } from "./registry.js";

/** Lambda's payload quotas: 6 MB each way for synchronous calls, 1 MB for asynchronous (Event) requests. */
const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;
const RUNTIME = "nodejs22.x";

export interface LambdaApi {
  readonly signingName: "lambda";
  handleHttp(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void>;
  /** Drops pending async retries and waits for running async invocations. */
  stop(): Promise<void>;
}

export function createLambdaApi(ctx: LocalContext): LambdaApi {
  const createdAt = lambdaTimestamp(new Date());

  function configuration(def: FunctionDefinition) {
    return {
      FunctionName: def.name,
      FunctionArn: functionArn(def.name),
      Runtime: RUNTIME,
      Role: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${def.name}-role`,
      Handler: "index.handler",
      CodeSize: 0,
      Description: "",
      Timeout: def.timeoutSeconds ?? 30,
      MemorySize: def.memoryMB ?? 512,
      LastModified: createdAt,
      Version: "$LATEST",
      PackageType: "Zip",
      Architectures: ["arm64"],
      State: "Active",
      LastUpdateStatus: "Successful",
    };
  }

  function lookup(rawName: string): FunctionDefinition {
    const name = functionNameOf(rawName);
    const def = ctx.functions.list().find((f) => f.name === name);
    if (!def)
      throw new AwsError("ResourceNotFoundException", `Function not found: ${functionArn(name)}`, 404);
    return def;
  }

  async function invoke(
    rawName: string,
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
  ): Promise<void> {
    const def = lookup(rawName);
    const type = header(req, "x-amz-invocation-type") ?? "RequestResponse";
    if (!["RequestResponse", "Event", "DryRun"].includes(type)) {
      throw new AwsError("InvalidParameterValueException", `Unsupported InvocationType: ${type}`);
    }
    const limit = type === "Event" ? ASYNC_PAYLOAD_LIMIT : SYNC_PAYLOAD_LIMIT;
    if (body.length > limit) {
      throw new AwsError(
        "RequestTooLargeException",
        `Request must be smaller than ${limit} bytes for the ${type === "Event" ? "InvokeAsync" : "Invoke"} operation`,
        413,
      );
    }
    let event: unknown = {};
    if (body.length > 0) {
      try {
        event = JSON.parse(body.toString("utf8"));
      } catch (err) {
        throw new AwsError(
          "InvalidRequestContentException",
          `Could not parse request body into json: ${String(err)}`,
        );
      }
    }
    if (type === "DryRun") {
      res.writeHead(204, baseHeaders(req));
      res.end();
      return;
    }
    if (type === "Event") {
      // Accepted only once it is on disk (when the registry is durable): a kill after the 202 loses nothing.
      await ctx.functions.invokeAsync(def.name, event);
      res.writeHead(202, baseHeaders(req));
      res.end();
      return;
    }
    let payload: string;
    let failed = false;
    try {
      payload = JSON.stringify((await ctx.functions.invoke(def.name, event)) ?? null);
      if (Buffer.byteLength(payload) > SYNC_PAYLOAD_LIMIT) {
        failed = true;
        payload = JSON.stringify({
          errorMessage: `Response payload size exceeded maximum allowed payload size (${SYNC_PAYLOAD_LIMIT} bytes).`,
          errorType: "Function.ResponseSizeTooLarge",
        });
      }
    } catch (err) {
      failed = true;
      payload = JSON.stringify(errorPayload(err));
    }
    res.writeHead(200, {
      ...baseHeaders(req),
      "content-type": "application/json",
      "x-amz-executed-version": "$LATEST",
      ...(failed ? { "x-amz-function-error": "Unhandled" } : {}),
    });
    res.end(payload);
  }

  function listFunctions(url: URL, req: IncomingMessage, res: ServerResponse): void {
    const all = ctx.functions.list().sort((a, b) => a.name.localeCompare(b.name));
    const maxItems = Math.min(Math.max(Number(url.searchParams.get("MaxItems") ?? 50) || 50, 1), 50);
    const marker = url.searchParams.get("Marker");
    const start = marker ? all.findIndex((f) => f.name > marker) : 0;
    const page = start < 0 ? [] : all.slice(start, start + maxItems);
    const more = start >= 0 && start + maxItems < all.length;
    sendJson(req, res, 200, {
      Functions: page.map(configuration),
      ...(more && page.length ? { NextMarker: page[page.length - 1]?.name } : {}),
    });
  }

  return {
    signingName: "lambda",
    async handleHttp(req, body, res) {
      const url = new URL(req.url ?? "/", "http://lambda");
      const method = req.method ?? "GET";
      const path = url.pathname.replace(/\/+$/, "");
      try {
        const m = /^\/2015-03-31\/functions(?:\/([^/]+)(\/invocations|\/configuration)?)?$/.exec(path);
        if (!m)
          throw new AwsError("UnknownOperationException", `Unknown operation ${method} ${url.pathname}`, 404);
        const name = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
        if (name === undefined && method === "GET") return listFunctions(url, req, res);
        if (name !== undefined && m[2] === "/invocations" && method === "POST") {
          return await invoke(name, req, body, res);
        }
        if (name !== undefined && m[2] === "/configuration" && method === "GET") {
          return sendJson(req, res, 200, configuration(lookup(name)));
        }
        if (name !== undefined && m[2] === undefined && method === "GET") {
          const config = configuration(lookup(name));
          return sendJson(req, res, 200, {
            Configuration: config,
            Code: { RepositoryType: "S3", Location: "" },
          });
        }
        throw new AwsError("UnknownOperationException", `Unknown operation ${method} ${url.pathname}`, 404);
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        // REST-JSON errors: the code in x-amzn-ErrorType, the message in the body (Lambda spells it "Message").
        res.writeHead(err.status, {
          ...baseHeaders(req),
          "content-type": "application/json",
          "x-amzn-errortype": err.code,
        });
        res.end(JSON.stringify({ Type: "User", Message: err.message, message: err.message }));
      }
    },
    stop: () => ctx.functions.stop(),
  };
}

/** The payload Lambda's Node.js runtime returns for an unhandled error. */
export function errorPayload(err: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (err instanceof Error) {
    return {
      errorType: err.name || "Error",
      errorMessage: err.message,
      trace: (err.stack ?? "").split("\n").filter((l) => l.length > 0),
    };
  }
  return { errorType: typeof err === "string" ? "string" : typeof err, errorMessage: String(err), trace: [] };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function baseHeaders(_req: IncomingMessage): Record<string, string> {
  return { "x-amzn-requestid": randomUUID() };
}

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...baseHeaders(req), "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Lambda's LastModified format: 2024-05-01T12:00:00.000+0000. */
function lambdaTimestamp(d: Date): string {
  return d.toISOString().replace("Z", "+0000");
}
