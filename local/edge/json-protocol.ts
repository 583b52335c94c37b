import type { IncomingMessage, ServerResponse } from "node:http";
import { AwsError } from "../aws/errors.js";
import type { JsonService } from "../aws/json-service.js";

/** Serves one AWS JSON-protocol request: X-Amz-Target names the operation, errors carry `__type`. */
export async function serveJson(
  service: JsonService,
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
): Promise<void> {
  const contentType = String(req.headers["content-type"] ?? "application/x-amz-json-1.1");
  const target = String(req.headers["x-amz-target"] ?? "");
  const [prefix, operation] = target.split(".");
  try {
    if (prefix !== service.targetPrefix || !operation) {
      throw new AwsError("UnknownOperationException", `Unknown operation ${target || "(no X-Amz-Target)"}`);
    }
    let input: Record<string, unknown> = {};
    if (body.length > 0) {
      try {
        input = JSON.parse(body.toString("utf8"));
      } catch {
        throw new AwsError("SerializationException", "Request body is not valid JSON");
      }
    }
    const output = (await service.handle(operation, input)) ?? {};
    send(res, 200, contentType, output);
  } catch (err) {
    if (err instanceof AwsError) {
      res.setHeader("x-amzn-ErrorType", err.code);
      send(res, err.status, contentType, { __type: err.code, message: err.message });
    } else {
      const message = err instanceof Error ? err.message : String(err);
      console.error(`[edge] ${service.targetPrefix}.${operation} failed:`, err);
      res.setHeader("x-amzn-ErrorType", "InternalFailure");
      send(res, 500, contentType, { __type: "InternalFailure", message });
    }
  }
}

function send(res: ServerResponse, status: number, contentType: string, payload: unknown): void {
  // AWS JSON protocols send timestamps as epoch seconds. The replacer sees Date.toJSON()'s string, so look
  // at the holder's raw value instead.
  const text = JSON.stringify(payload, function (this: Record<string, unknown>, k, v) {
    const raw = this[k];
    return raw instanceof Date ? raw.getTime() / 1000 : v;
  });
  res.writeHead(status, { "content-type": contentType, "x-amzn-requestid": crypto.randomUUID() });
  res.end(text);
}
