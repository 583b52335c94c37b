/**
 * The edge: one loopback port for every AWS API, as LocalStack does. Each request is routed by the SigV4
 * credential-scope service name to a packaged emulator (proxied) or to one of our own services.
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { buffer } from "node:stream/consumers";
import type { HttpService, JsonService } from "../aws/json-service.js";
import { close } from "../emulators/listen.js";
import type { RunningEmulator } from "../emulators/types.js";
import { FAULTS_PATH, serveFaults } from "../faults/http.js";
import { faults } from "../faults/index.js";
import { injectFault } from "../faults/inject.js";
import { awsFaultReply } from "../faults/replies.js";
import { alreadyReady, type Readiness } from "../readiness.js";
import { CallCounter, operationOf } from "./calls.js";
import { serveJson } from "./json-protocol.js";
import { proxy } from "./proxy.js";
import { signingServiceOf } from "./service-of.js";

type Route =
  | { kind: "proxy"; url: string }
  | { kind: "json"; service: JsonService }
  | { kind: "http"; service: HttpService };

export interface Edge {
  url: string;
  port: number;
  addEmulator(emulator: RunningEmulator): void;
  addJsonService(service: JsonService): void;
  addHttpService(service: HttpService): void;
  services(): string[];
  stop(): Promise<void>;
}

/** Health paths: ours, the bare one, and LocalStack's (scripts written for LocalStack wait on it). */
export const EDGE_HEALTH_PATHS = ["/_embark/health", "/health", "/_localstack/health"];

export async function startEdge(
  opts: { host?: string; port?: number; readiness?: Readiness } = {},
): Promise<Edge> {
  const host = opts.host ?? "127.0.0.1";
  // Without a shared readiness (a test's own edge) it is ready as soon as it listens.
  const readiness = opts.readiness ?? alreadyReady();
  const routes = new Map<string, Route>();
  const targetPrefixes = new Map<string, string>();
  const calls = new CallCounter();

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      console.error("[edge] request failed:", err);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ __type: "InternalFailure", message: String(err) }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await buffer(req);
    const path = new URL(req.url ?? "/", "http://edge").pathname;
    if (req.method === "GET" && EDGE_HEALTH_PATHS.includes(path)) {
      const health = readiness.health();
      res.writeHead(health.status === "running" ? 200 : 503, { "content-type": "application/json" });
      res.end(JSON.stringify(health));
      return;
    }
    // Browsers call Cognito's user-pool API (InitiateAuth, …) cross-origin; AWS answers their preflight.
    if (req.method === "OPTIONS" && req.headers["access-control-request-method"]) {
      preflight(req, res);
      return;
    }
    if (path === "/_embark/calls" && (req.method === "GET" || req.method === "DELETE")) {
      if (req.method === "DELETE") calls.reset();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(calls.snapshot()));
      return;
    }
    if (path === FAULTS_PATH) {
      serveFaults(req, body, res);
      return;
    }
    let service = signingServiceOf(req, targetPrefixes);
    // Cognito's JWKS and OpenID documents are fetched unsigned, by path.
    if (!service && /^\/[\w-]+_[\w]+\/\.well-known\//.test(path)) service = "cognito-idp";
    // Local-only inspection endpoints (e.g. /_aws/ses, the mail the local SES accepted), as LocalStack has them.
    if (!service && path.startsWith("/_aws/")) service = "_aws";
    let route = service ? routes.get(service) : undefined;
    if (!route && !readiness.isReady) {
      // Starting: the service may not be registered yet. Wait rather than call it unknown.
      await readiness.whenReady().catch(() => {});
      service = signingServiceOf(req, targetPrefixes) ?? service;
      route = service ? routes.get(service) : undefined;
    }
    if (!route) {
      unknownService(res, service);
      return;
    }
    if (service && service !== "_aws") {
      calls.count(service, req, body);
      // The fault plan (local/faults/): a throttle, a 5xx, a dropped connection, latency or a lost answer.
      if (faults.active) {
        const svc = service;
        const fault = faults.decide(svc, operationOf(svc, req, body));
        const next = await injectFault(fault, req, res, (kind, s5xx) => awsFaultReply(svc, req, kind, s5xx));
        if (next === "handled") return;
      }
    }
    if (route.kind === "proxy") return proxy(req, body, res, route.url);
    if (route.kind === "json") return serveJson(route.service, req, body, res);
    return route.service.handleHttp(req, body, res);
  }

  function unknownService(res: ServerResponse, service: string | undefined): void {
    const available = [...routes.keys()].sort().join(", ");
    const message = service
      ? `Service '${service}' is not emulated by the Embark local cloud (available: ${available})`
      : `Cannot tell which AWS service this request is for: sign it with SigV4 (available: ${available})`;
    res.writeHead(400, { "content-type": "application/json", "x-amzn-ErrorType": "UnknownServiceException" });
    res.end(JSON.stringify({ __type: "UnknownServiceException", message }));
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const register = (name: string, route: Route) => {
    routes.set(name, route);
    if (!name.startsWith("_")) readiness.addService(name);
  };
  return {
    url: `http://${host}:${port}`,
    port,
    addEmulator(emulator) {
      for (const name of emulator.signingNames) register(name, { kind: "proxy", url: emulator.url });
      for (const prefix of emulator.targetPrefixes ?? [])
        targetPrefixes.set(prefix, emulator.signingNames[0]!);
    },
    addJsonService(service) {
      register(service.signingName, { kind: "json", service });
      targetPrefixes.set(service.targetPrefix, service.signingName);
    },
    addHttpService(service) {
      register(service.signingName, { kind: "http", service });
    },
    services: () => [...routes.keys()].sort(),
    stop: () => close(server),
  };
}

/** The CORS preflight AWS's public endpoints answer: any origin, the methods and headers asked for. */
function preflight(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(204, {
    "access-control-allow-origin": req.headers.origin ?? "*",
    "access-control-allow-methods": "GET, POST, PUT, DELETE, OPTIONS",
    "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "*",
    "access-control-max-age": "600",
    vary: "Origin",
  });
  res.end();
}
