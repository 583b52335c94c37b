/**
 * A small Kubernetes API stand-in, faithful to kube-apiserver for the subset Embark uses: Namespace, ResourceQuota,
 * LimitRange, ServiceAccount (core/v1), NetworkPolicy (networking.k8s.io/v1), Role and RoleBinding
 * (rbac.authorization.k8s.io/v1), as kubectl v1.32 and @kubernetes/client-node 1.4 speak to them over plain HTTP.
 * It serves discovery, create/get/list/update/patch/delete, server-side apply with managedFields and conflicts,
 * watch, Status errors with the apiserver's reasons and messages, Terminating namespaces with a cascade delete,
 * and an optional state directory (a journal of changes and its snapshot, store.ts). Local-only: `GET /_embark/calls` counts requests by verb and resource
 * (`DELETE` resets it), as the edge does for AWS calls.
 *
 * Impersonated requests (kubectl --as/--as-group) are authorized by RBAC with the built-in roles (authz.ts,
 * rbac.ts, bootstrap-rbac.ts); Pods, ConfigMaps, Secrets, Services, Deployments and the other workload kinds a
 * tenant Role names are stored too (workload-resources.ts), never run.
 *
 * Known gaps: no authentication (any token is the administrator; see authz.ts for the RBAC gaps); no
 * admission (quotas and limit ranges are stored, never enforced; ResourceQuota status is never filled); no OpenAPI
 * validation (unknown or mistyped fields are stored as sent; fieldValidation is accepted and ignored); strategic
 * merge patch behaves as a JSON merge patch (lists replaced, no $patch directives); server-side apply owns lists
 * atomically (no per-item merge by key) and ignores managedFields sent by clients; JSON only (no protobuf, so
 * imperative `kubectl create ns|role` fails with 415); Table output has the default columns only; no subresources
 * (status, finalize) and no deletecollection; namespace spec.finalizers are not honoured (metadata.finalizers
 * are); limit/continue pages are not a snapshot (a continued list sees later changes); generation counts every non-metadata change for every kind; a Terminating namespace's
 * contents are removed without waiting for their own finalizers; no default ServiceAccount per namespace; a
 * finite watch history (older resourceVersions get 410 Expired).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { faults } from "../faults/index.js";
import { injectFault } from "../faults/inject.js";
import { kubeFaultReply } from "../faults/replies.js";
import {
  guard,
  isSelfSubjectAccessReview,
  requestAttributes,
  requestUser,
  reviewRequestAttributes,
  selfSubjectAccessReview,
} from "./authz.js";
import { bootstrapRbac } from "./bootstrap-rbac.js";
import {
  apiGroupDoc,
  apiGroupList,
  apiVersions,
  openapiV3,
  openapiV3Root,
  resourceList,
  version,
} from "./discovery.js";
import {
  type Ctx,
  create,
  get,
  type KubeRequest,
  list,
  patch,
  type Reply,
  remove,
  update,
} from "./handlers.js";
import { startNamespaces } from "./namespaces.js";
import { findResource, type ResourceType } from "./resources.js";
import { ApiError, methodNotAllowed, pathNotFound } from "./status.js";
import { Store } from "./store.js";
import { watch } from "./watch.js";

interface Route {
  rt: ResourceType;
  ns?: string;
  name?: string;
}

/** /api/v1/[namespaces/{ns}/]{plural}[/{name}] and /apis/{group}/{version}/…; subresources are not served. */
function route(parts: string[]): Route | undefined {
  let group = "";
  let rest: string[];
  if (parts[0] === "api" && parts.length >= 3) rest = parts.slice(1);
  else if (parts[0] === "apis" && parts.length >= 4) {
    group = parts[1]!;
    rest = parts.slice(2);
  } else return undefined;
  const [version, ...tail] = rest;
  const scoped = tail[0] === "namespaces" && tail.length >= 3;
  const [plural, name, ...extra] = scoped ? tail.slice(2) : tail;
  const rt = findResource(group, version!, plural!);
  if (!rt || extra.length > 0) return undefined;
  if (scoped && !rt.namespaced) return undefined;
  if (!scoped && rt.namespaced && name !== undefined) return undefined;
  return { rt, ns: scoped ? tail[1] : undefined, name };
}

/** The non-resource paths: health, discovery, OpenAPI. */
function discovery(parts: string[], host: string): unknown {
  const path = parts.join("/");
  if (path === "version") return version;
  if (path === "api") return apiVersions(host);
  if (path === "apis") return apiGroupList();
  if (parts[0] === "api" && parts.length === 2) return resourceList("", parts[1]!);
  if (parts[0] === "apis" && parts.length === 2) return apiGroupDoc(parts[1]!);
  if (parts[0] === "apis" && parts.length === 3) return resourceList(parts[1]!, parts[2]!);
  if (path === "openapi/v3") return openapiV3Root();
  if (parts[0] === "openapi" && parts[1] === "v3") return openapiV3(parts.slice(2).join("/"));
  return undefined;
}

function dispatch(ctx: Ctx, method: string, r: Route, req: KubeRequest): Reply | "watch" {
  const q = req.query;
  if (r.name === undefined) {
    if (method === "GET")
      return q.get("watch") === "true" || q.get("watch") === "1" ? "watch" : list(ctx, req);
    if (method === "POST" && (r.ns !== undefined || !r.rt.namespaced)) return create(ctx, req);
    throw methodNotAllowed();
  }
  if (method === "GET") return get(ctx, req);
  if (method === "PUT") return update(ctx, req);
  if (method === "PATCH") return patch(ctx, req);
  if (method === "DELETE") return remove(ctx, req);
  throw methodNotAllowed();
}

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

const sendJson = (res: ServerResponse, code: number, body: unknown): void => {
  res.writeHead(code, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
};

export async function startKubeApi(opts: {
  host?: string;
  port?: number;
  /** Where the objects are kept (journal + snapshot); a legacy `<stateDir>.json` beside it is migrated once. */
  stateDir?: string;
}): Promise<{ url: string; stop(): Promise<void> }> {
  const store = new Store(opts.stateDir);
  await store.load();
  const timers = new Set<NodeJS.Timeout>();
  const defer = (fn: () => void, ms: number): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const ctx: Ctx = { store, defer };
  startNamespaces(store, defer);
  bootstrapRbac(store);
  // Local-only, like the edge's: requests by verb and resource (`list networkpolicies`), at GET /_embark/calls.
  const calls = new Map<string, number>();
  const VERBS: Record<string, string> = {
    GET: "get",
    PUT: "update",
    PATCH: "patch",
    DELETE: "delete",
    POST: "create",
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? "GET";
    const raw = await readBody(req);
    const body = raw.toString("utf8");
    try {
      // Impersonated requests (kubectl --as) are authorized by RBAC (authz.ts); others act as the administrator.
      const user = requestUser(req);
      if (isSelfSubjectAccessReview(method, parts)) {
        if (user) guard(store, user, reviewRequestAttributes());
        const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim();
        sendJson(res, 201, selfSubjectAccessReview(store, user, raw, type));
        return;
      }
      if (user) {
        const r = route(parts);
        guard(store, user, requestAttributes(method, parts, url.searchParams, r), r?.rt);
      }
      if (["healthz", "livez", "readyz"].includes(parts[0] ?? "")) {
        res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
        return;
      }
      if (url.pathname === "/_embark/calls" && (method === "GET" || method === "DELETE")) {
        if (method === "DELETE") calls.clear();
        const operations = Object.fromEntries([...calls.entries()].sort(([a], [b]) => a.localeCompare(b)));
        sendJson(res, 200, { total: [...calls.values()].reduce((a, b) => a + b, 0), operations });
        return;
      }
      const r = route(parts);
      const verb = !r
        ? "discover"
        : r.name === undefined && method === "GET"
          ? "list"
          : (VERBS[method] ?? method);
      const counted = `${verb} ${r ? r.rt.plural : url.pathname}`;
      calls.set(counted, (calls.get(counted) ?? 0) + 1);
      if (!r) {
        const doc = method === "GET" ? discovery(parts, req.headers.host ?? "") : undefined;
        if (!doc) throw pathNotFound();
        sendJson(res, 200, doc);
        return;
      }
      // The fault plan (local/faults/), as `kubernetes:<verb>` (get, list, create, update, patch, apply, delete).
      if (
        faults.active &&
        !(method === "GET" && ["true", "1"].includes(url.searchParams.get("watch") ?? ""))
      ) {
        const contentType = (req.headers["content-type"] ?? "").split(";")[0]!.trim();
        const op = method === "PATCH" && contentType === "application/apply-patch+yaml" ? "apply" : verb;
        const fault = faults.decide("kubernetes", op);
        if ((await injectFault(fault, req, res, kubeFaultReply)) === "handled") return;
      }
      const kreq: KubeRequest = {
        ...r,
        query: url.searchParams,
        contentType: (req.headers["content-type"] ?? "").split(";")[0]!.trim(),
        body,
        userAgent: req.headers["user-agent"],
        accept: req.headers.accept,
      };
      const reply = dispatch(ctx, method, r, kreq);
      if (reply === "watch") watch(store, kreq, res);
      else {
        // A write is answered once it is on disk: a kill after the answer can't lose it.
        if (method !== "GET") await store.flush();
        sendJson(res, reply.code, reply.body);
      }
    } catch (e) {
      const err =
        e instanceof ApiError
          ? e
          : new ApiError(500, "InternalError", `Internal error occurred: ${(e as Error).message}`);
      if (!(e instanceof ApiError)) console.error("k8s stand-in:", e);
      if (res.headersSent) res.end();
      else sendJson(res, err.code, err.toStatus());
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    // A closure, not a method: callers pass `stop` around unbound.
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections(); // ends open watches too
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}
