/**
 * Local stand-in for an API Gateway HTTP API in front of Lambda: a node:http server that matches routes,
 * invokes the route's function in process with a payload format 2.0 event and maps the result back.
 *
 * Faithful to API Gateway: unknown route → 404 {"message":"Not Found"}; function error or malformed response →
 * 500 {"message":"Internal Server Error"}; integration over 30 s → 503 {"message":"Service Unavailable"};
 * request body over 10 MB → 413 {"message":"Request Entity Too Large"}; an `apigw-requestid` header on replies.
 *
 * Known gaps: no CORS configuration, authorizers, throttling or custom domains; `GET /health` is a local-only
 * route; requests no route matches go to `staticHandler` (the local web pages) before the 404.
 *
 * Start-up: until the cloud's readiness is marked, `GET /health` answers 503 {"status":"starting"} and every
 * other request waits for the routes to be wired (then 503 if start-up takes over a minute), so a script that
 * only waits for the port never sees a 404 for a route that exists once ready.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { FunctionRegistry } from "../lambda/registry.js";
import { alreadyReady, type Readiness } from "../readiness.js";
import { toApiGatewayV2Event } from "./apigw-event.js";
import { fromLambdaResult } from "./apigw-response.js";
import { RouteTable, type WebRoute } from "./routes.js";

export type { WebRoute } from "./routes.js";

/** API Gateway's payload quota for HTTP APIs. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
/** API Gateway's maximum integration timeout for HTTP APIs. */
const INTEGRATION_TIMEOUT_MS = 30_000;

export interface WebServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port: number;
  functions: FunctionRegistry;
  routes: WebRoute[];
  /** Shared with the edge; default: ready as soon as it listens. */
  readiness?: Readiness;
}

/** Serves what no route matched (local pages); resolves true when it wrote a response. */
/** `body`: the request's body, already read by the server (the request stream is consumed). */
export type StaticHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<boolean>;

export interface WebServer {
  url: string;
  stop(): Promise<void>;
  /** Adds a route, or replaces the route with the same method and path. */
  addRoute(route: WebRoute): void;
  /** Adds a handler for requests no route matches (tried in the order added, before the 404). */
  addStaticHandler(handler: StaticHandler): void;
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const host = opts.host ?? "127.0.0.1";
  const table = new RouteTable();
  for (const r of opts.routes) table.add(r);
  const staticHandlers: StaticHandler[] = [];
  const readiness = opts.readiness ?? alreadyReady();
  readiness.addService("web");

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error("[web] request failed:", err);
      if (!res.headersSent) sendJson(res, 500, { message: "Internal Server Error" });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (body === "too-large") {
      sendJson(res, 413, { message: "Request Entity Too Large" });
      return;
    }
    const method = (req.method ?? "GET").toUpperCase();
    const rawPath = (req.url ?? "/").split("?")[0] ?? "/";
    if (method === "GET" && rawPath === "/health") {
      const health = readiness.health();
      sendJson(res, health.status === "running" ? 200 : 503, health);
      return;
    }
    if (!readiness.isReady) {
      try {
        await readiness.whenReady();
      } catch {
        res.setHeader("retry-after", "5");
        sendJson(res, 503, { message: "Service Unavailable" });
        return;
      }
    }
    const match = table.match(method, rawPath);
    if (!match) {
      for (const serve of staticHandlers) if (await serve(req, res, body)) return;
      sendJson(res, 404, { message: "Not Found" });
      return;
    }
    const event = toApiGatewayV2Event(req, body, match, match.pathParams);
    const requestId = event.requestContext.requestId;
    const fn = match.route.functionName;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), INTEGRATION_TIMEOUT_MS);
    });
    let result: unknown;
    try {
      result = await Promise.race([opts.functions.invoke(fn, event), timeout]);
    } catch (err) {
      console.error(`[web] ${match.routeKey} → ${fn} failed (request ${requestId}): ${describe(err)}`);
      sendJson(res, 500, { message: "Internal Server Error" }, requestId);
      return;
    } finally {
      clearTimeout(timer);
    }
    if (result === "timeout") {
      console.error(
        `[web] ${match.routeKey} → ${fn} exceeded the 30 s integration timeout (request ${requestId})`,
      );
      sendJson(res, 503, { message: "Service Unavailable" }, requestId);
      return;
    }
    let mapped: ReturnType<typeof fromLambdaResult>;
    try {
      mapped = fromLambdaResult(result);
    } catch (err) {
      console.error(
        `[web] ${match.routeKey} → ${fn} returned a malformed response (request ${requestId}): ${describe(err)}`,
      );
      sendJson(res, 500, { message: "Internal Server Error" }, requestId);
      return;
    }
    const headers: Record<string, string | string[]> = { ...mapped.headers, "apigw-requestid": requestId };
    if (mapped.cookies.length > 0) headers["set-cookie"] = mapped.cookies;
    headers["content-length"] = String(mapped.body.length);
    res.writeHead(mapped.statusCode, headers);
    res.end(method === "HEAD" ? undefined : mapped.body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let stopped: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    addRoute: (route) => table.add(route),
    addStaticHandler: (handler) => staticHandlers.push(handler),
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

/** Reads the body; past the limit it keeps draining (so the client sees the 413) but keeps nothing. */
function readBody(req: IncomingMessage): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    let tooLarge = declared > MAX_REQUEST_BYTES;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      if (tooLarge) return;
      size += c.length;
      if (size > MAX_REQUEST_BYTES) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(tooLarge ? "too-large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, requestId?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...(requestId ? { "apigw-requestid": requestId } : {}),
  });
  res.end(text);
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
