/**
 * The local operator console at /console: server-rendered pages over the AWS APIs of the local cloud, read
 * through ops/read with the real AWS SDK v3 pointed at the edge (as the AWS consoles read AWS), so it shows
 * what an operator would see with the AWS console or CLI. LOCAL ONLY, WITHOUT LOGIN: it answers only requests
 * addressed to a loopback host name (so a DNS rebinding page cannot reach it) and refuses cross-site form posts
 * (so another site cannot press Redrive).
 * It is not deployed: on AWS operators use the AWS consoles and `npm run ops`.
 *
 * Wire it as the local web server's staticHandler: `staticHandler: operatorConsole({ edgeUrl, tenantsTable })`.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { buffer } from "node:stream/consumers";
import { AwsClients } from "../read/clients.js";
import type { ConsoleRequest, ConsoleResponse } from "./context.js";
import { html } from "./html.js";
import { page } from "./layout.js";
import { executionList, executionPage, redriveExecution } from "./pages/executions.js";
import { mailList, mailPage } from "./pages/mail.js";
import { queueList, queuePage, redriveQueue } from "./pages/queues.js";
import { tenantAction } from "./pages/tenant-actions.js";
import { tenantList, tenantPage } from "./pages/tenants.js";

export interface OperatorConsoleOptions {
  /** The local cloud's AWS edge endpoint. */
  edgeUrl: string;
  /** The tenants table (TenantStore). */
  tenantsTable: string;
}

// The local cloud checks neither signatures nor the signing region; ARNs are taken from its own answers.
const LOCAL_SIGNING = {
  region: "us-east-1",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
};

type Handler = (req: ConsoleRequest, params: string[]) => Promise<ConsoleResponse>;
type Route = { method: "GET" | "POST"; pattern: RegExp; handler: Handler };

const SEGMENT = "([^/]+)";
const ROUTES: Route[] = [
  {
    method: "GET",
    pattern: /^\/console\/?$/,
    handler: async () => ({ status: 303, location: "/console/tenants" }),
  },
  { method: "GET", pattern: /^\/console\/tenants\/?$/, handler: (r) => tenantList(r) },
  {
    method: "GET",
    pattern: new RegExp(`^/console/tenants/${SEGMENT}$`),
    handler: (r, [id]) => tenantPage(r, id!),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/console/tenants/${SEGMENT}/(cancel|restore)$`),
    handler: async (r, [id, action]) => {
      const out = await tenantAction(r, id!, action as "cancel" | "restore");
      return "refused" in out ? tenantPage(r, id!, { kind: "error", text: out.refused }, 409) : out;
    },
  },
  { method: "GET", pattern: /^\/console\/executions\/?$/, handler: (r) => executionList(r) },
  {
    method: "GET",
    pattern: new RegExp(`^/console/executions/${SEGMENT}/${SEGMENT}$`),
    handler: (r, [machine, name]) => executionPage(r, machine!, name!),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/console/executions/${SEGMENT}/${SEGMENT}/redrive$`),
    handler: (r, [machine, name]) => redriveExecution(r, machine!, name!),
  },
  { method: "GET", pattern: /^\/console\/queues\/?$/, handler: (r) => queueList(r) },
  {
    method: "GET",
    pattern: new RegExp(`^/console/queues/${SEGMENT}$`),
    handler: (r, [name]) => queuePage(r, name!),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/console/queues/${SEGMENT}/redrive$`),
    handler: (r, [name]) => redriveQueue(r, name!),
  },
  { method: "GET", pattern: /^\/console\/mail\/?$/, handler: (r) => mailList(r) },
  {
    method: "GET",
    pattern: new RegExp(`^/console/mail/${SEGMENT}$`),
    handler: (r, [id]) => mailPage(r, id!),
  },
];

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);
const NOT_FOUND_ERRORS = new Set([
  "NotFound",
  "ExecutionDoesNotExist",
  "StateMachineDoesNotExist",
  "QueueDoesNotExist",
  "AWS.SimpleQueueService.NonExistentQueue",
  "InvalidArn",
]);

/** A staticHandler for the local web server: answers /console/*, leaves everything else alone. */
export function operatorConsole(opts: OperatorConsoleOptions) {
  const aws = new AwsClients({ endpoint: opts.edgeUrl, ...LOCAL_SIGNING });
  const tenants = aws.tenantStore(opts.tenantsTable);

  return async function handleConsole(
    req: IncomingMessage,
    res: ServerResponse,
    body?: Buffer,
  ): Promise<boolean> {
    const url = new URL(req.url ?? "/", "http://console.local");
    if (url.pathname !== "/console" && !url.pathname.startsWith("/console/")) return false;
    const method = (req.method ?? "GET").toUpperCase();

    const refusal = refuse(req, method);
    if (refusal) {
      send(res, 403, errorPage("Forbidden", refusal));
      return true;
    }
    let route: Route | undefined;
    let params: string[] = [];
    let pathMatched = false;
    for (const r of ROUTES) {
      const m = r.pattern.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (r.method === method || (r.method === "GET" && method === "HEAD")) {
        route = r;
        params = m.slice(1).map(decode);
        break;
      }
    }
    if (!route) {
      if (pathMatched) send(res, 405, errorPage("Method not allowed", `${method} is not allowed here.`));
      else send(res, 404, errorPage("Not found", `There is no console page at ${url.pathname}.`));
      return true;
    }
    try {
      const text = method === "POST" ? (body ?? (await buffer(req))).toString("utf8").slice(0, 4096) : "";
      const form = method === "POST" ? new URLSearchParams(text) : undefined;
      const out = await route.handler(
        { method, url, aws, tenants, edgeUrl: opts.edgeUrl, ...(form ? { form } : {}) },
        params,
      );
      if ("location" in out) {
        res.writeHead(303, { location: out.location, "cache-control": "no-store" });
        res.end();
      } else send(res, out.status, out.html, method === "HEAD");
    } catch (err) {
      const e = err as Error & { $metadata?: { httpStatusCode?: number } };
      if (NOT_FOUND_ERRORS.has(e.name)) send(res, 404, errorPage("Not found", e.message));
      else {
        console.error(`[console] ${method} ${url.pathname} failed:`, err);
        send(res, 502, errorPage("The local cloud answered with an error", `${e.name}: ${e.message}`));
      }
    }
    return true;
  };
}

/** Why a request is refused, or undefined. */
function refuse(req: IncomingMessage, method: string): string | undefined {
  const host = (req.headers.host ?? "").replace(/:\d+$/, "").toLowerCase();
  if (!LOOPBACK_HOSTS.has(host)) {
    return `The operator console answers only on 127.0.0.1 / localhost (this request was for "${host}"). It has no login and must not be exposed.`;
  }
  if (method !== "GET" && method !== "HEAD") {
    // Browsers say where a request comes from in Sec-Fetch-Site; older ones only in Origin. Tools such as
    // curl send neither and are allowed (they are not a cross-site attack).
    const site = req.headers["sec-fetch-site"];
    const origin = req.headers.origin;
    const crossSite =
      site !== undefined
        ? site !== "same-origin" && site !== "none"
        : origin !== undefined && origin !== `http://${req.headers.host}`;
    if (crossSite) {
      return "Cross-site form posts are refused: actions can only be started from the console's own pages.";
    }
  }
  return undefined;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function send(res: ServerResponse, status: number, body: string, headOnly = false): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
    "cache-control": "no-store",
    // Inline styles, one inline form confirm at most, sandboxed email bodies: nothing is loaded from elsewhere.
    "content-security-policy":
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
  });
  res.end(headOnly ? undefined : body);
}

function errorPage(title: string, message: string): string {
  return page({
    title,
    section: "tenants",
    body: html`<h1>${title}</h1><p>${message}</p><p><a href="/console">Back to the console</a></p>`,
  });
}
