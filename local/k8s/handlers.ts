/** create, get, list, update, patch (merge, strategic-as-merge, JSON, apply) and delete for one resource type. */
import { load } from "js-yaml";
import { serverSideApply, trackUpdate } from "./managed-fields.js";
import {
  beginNamespaceDelete,
  completeDeletion,
  type Defer,
  deleteObject,
  requireWritableNamespace,
} from "./namespaces.js";
import { checkBody, finishWrite, managerFromUserAgent } from "./objects.js";
import { jsonPatch, mergePatch } from "./patch.js";
import { apiVersionOf, isRecord, type KubeObject, type ResourceType } from "./resources.js";
import { fieldSelector, labelSelector } from "./selectors.js";
import {
  ApiError,
  alreadyExists,
  badRequest,
  conflict,
  notFound,
  staleObject,
  unsupportedMediaType,
} from "./status.js";
import type { Store } from "./store.js";
import { toTable, wantsTable } from "./table.js";

export interface KubeRequest {
  rt: ResourceType;
  /** Namespace from the URL (namespaced kinds; undefined when listing across namespaces). */
  ns?: string;
  name?: string;
  query: URLSearchParams;
  contentType: string;
  body: string;
  userAgent?: string;
  accept?: string;
}

export interface Reply {
  code: number;
  body: unknown;
}

export interface Ctx {
  store: Store;
  defer: Defer;
}

const APPLY = "application/apply-patch+yaml";
const PATCH_TYPES = [
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/apply-patch+yaml",
  "application/strategic-merge-patch+json",
];

function parseBody(req: KubeRequest): unknown {
  const type = req.contentType;
  try {
    if (type === APPLY || type === "application/yaml") return load(req.body);
    if (type === "" || type.endsWith("json")) return JSON.parse(req.body);
  } catch (e) {
    throw badRequest(`the body of the request could not be decoded: ${(e as Error).message}`);
  }
  throw unsupportedMediaType(type, ["application/json", "application/yaml"]);
}

const isDryRun = (req: KubeRequest): boolean => req.query.get("dryRun") === "All";
const manager = (req: KubeRequest): string =>
  req.query.get("fieldManager") || managerFromUserAgent(req.userAgent);
function stored(ctx: Ctx, req: KubeRequest, next: KubeObject, old?: KubeObject): KubeObject {
  if (isDryRun(req)) return next;
  const out = ctx.store.write(req.rt, next, old);
  completeDeletion(ctx.store, req.rt, out);
  return out;
}

export function create(ctx: Ctx, req: KubeRequest): Reply {
  const { rt, ns } = req;
  const obj = checkBody(rt, parseBody(req), ns);
  const name = obj.metadata.name!;
  if (ns) requireWritableNamespace(ctx.store, rt, ns, name);
  if (ctx.store.get(rt, ns, name)) throw alreadyExists(rt, name);
  const next = finishWrite(rt, obj, undefined);
  next.metadata.managedFields = trackUpdate(undefined, next, manager(req), apiVersionOf(rt));
  return { code: 201, body: stored(ctx, req, next) };
}

const existing = (ctx: Ctx, req: KubeRequest): KubeObject => {
  const old = ctx.store.get(req.rt, req.ns, req.name!);
  if (!old) throw notFound(req.rt, req.name!);
  return old;
};

export const get = (ctx: Ctx, req: KubeRequest): Reply => ({ code: 200, body: existing(ctx, req) });

export function list(ctx: Ctx, req: KubeRequest): Reply {
  const byLabel = labelSelector(req.query.get("labelSelector"));
  const byField = fieldSelector(req.query.get("fieldSelector"));
  const all = ctx.store.list(req.rt, req.ns).filter((o) => byLabel(o) && byField(o));
  const { page: found, next, remaining } = paged(all, req.query);
  const rv = String(ctx.store.rv);
  if (wantsTable(req.accept))
    return { code: 200, body: toTable(req.rt, found, rv, req.query.get("includeObject")) };
  // As in the apiserver's list responses, items carry no kind/apiVersion.
  const items = found.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
  return {
    code: 200,
    body: {
      kind: `${req.rt.kind}List`,
      apiVersion: apiVersionOf(req.rt),
      metadata: {
        resourceVersion: rv,
        ...(next ? { continue: next, remainingItemCount: remaining } : {}),
      },
      items,
    },
  };
}

/**
 * `limit` and `continue` as the apiserver pages a list: in key order (namespace, name), the token naming the
 * last key returned. Unlike etcd, a continued list reads the objects as they are now (no snapshot).
 */
function paged(items: KubeObject[], query: URLSearchParams) {
  const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
  const token = query.get("continue");
  let start = 0;
  if (token) {
    let after: string;
    try {
      after = JSON.parse(Buffer.from(token, "base64url").toString("utf8")).after;
      if (typeof after !== "string") throw new Error("no key");
    } catch {
      throw badRequest("continue key is not valid: illegal base64 data or malformed key");
    }
    start = items.findIndex((o) => keyOf(o) > after);
    if (start < 0) start = items.length;
  }
  const limitText = query.get("limit");
  const limit = limitText && /^[1-9][0-9]*$/.test(limitText) ? Number(limitText) : undefined;
  const page = limit === undefined ? items.slice(start) : items.slice(start, start + limit);
  const remaining = items.length - start - page.length;
  const last = page.at(-1);
  const next =
    remaining > 0 && last
      ? Buffer.from(JSON.stringify({ after: keyOf(last) })).toString("base64url")
      : undefined;
  return { page, next, remaining };
}

/** The tail of update and non-apply patches: resourceVersion precondition, stamping, ownership, write. */
function commitUpdate(ctx: Ctx, req: KubeRequest, old: KubeObject, obj: KubeObject): Reply {
  const rv = obj.metadata.resourceVersion;
  if (rv !== undefined && rv !== old.metadata.resourceVersion) throw staleObject(req.rt, req.name!);
  const next = finishWrite(req.rt, obj, old);
  next.metadata.managedFields = trackUpdate(old, next, manager(req), apiVersionOf(req.rt));
  return { code: 200, body: stored(ctx, req, next, old) };
}

export function update(ctx: Ctx, req: KubeRequest): Reply {
  const old = existing(ctx, req);
  return commitUpdate(ctx, req, old, checkBody(req.rt, parseBody(req), req.ns, req.name));
}

export function patch(ctx: Ctx, req: KubeRequest): Reply {
  if (req.contentType === APPLY) return apply(ctx, req);
  if (!PATCH_TYPES.includes(req.contentType)) throw unsupportedMediaType(req.contentType, PATCH_TYPES);
  const old = existing(ctx, req);
  const body = parseBody(req);
  // Strategic merge patch is served as a JSON merge patch (see server.ts).
  const patched =
    req.contentType === "application/json-patch+json" ? jsonPatch(old, body) : mergePatch(old, body);
  return commitUpdate(ctx, req, old, checkBody(req.rt, patched, req.ns, req.name));
}

function apply(ctx: Ctx, req: KubeRequest): Reply {
  const { rt, ns, name } = req;
  const fieldManager = req.query.get("fieldManager");
  if (!fieldManager)
    throw new ApiError(
      422,
      "Invalid",
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      {
        group: "meta.k8s.io",
        kind: "PatchOptions",
        causes: [
          {
            reason: "FieldValueRequired",
            message: "Required value: is required for apply patch",
            field: "fieldManager",
          },
        ],
      },
    );
  const config = checkBody(rt, parseBody(req), ns, name);
  const old = ctx.store.get(rt, ns, name!);
  if (!old && ns) requireWritableNamespace(ctx.store, rt, ns, name!);
  const rv = config.metadata.resourceVersion;
  if (old && rv !== undefined && rv !== old.metadata.resourceVersion) throw staleObject(rt, name!);
  const merged = serverSideApply(
    old,
    config,
    fieldManager,
    req.query.get("force") === "true",
    apiVersionOf(rt),
  );
  merged.metadata.name = name;
  if (ns) merged.metadata.namespace = ns;
  const next = finishWrite(rt, merged, old);
  return { code: old ? 200 : 201, body: stored(ctx, req, next, old) };
}

export function remove(ctx: Ctx, req: KubeRequest): Reply {
  const { rt, name } = req;
  const old = existing(ctx, req);
  const options = req.body.trim() ? parseBody(req) : {};
  const pre = isRecord(options) && isRecord(options.preconditions) ? options.preconditions : {};
  if (pre.uid !== undefined && pre.uid !== old.metadata.uid)
    throw conflict(
      rt,
      name!,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`,
    );
  if (pre.resourceVersion !== undefined && pre.resourceVersion !== old.metadata.resourceVersion)
    throw conflict(
      rt,
      name!,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in meta: ${old.metadata.resourceVersion}`,
    );
  if (isDryRun(req)) return { code: 200, body: old };
  // A namespace has the "kubernetes" finalizer, so the apiserver answers with the Terminating namespace itself.
  if (rt.kind === "Namespace") return { code: 200, body: beginNamespaceDelete(ctx.store, name!, ctx.defer) };
  const marked = deleteObject(ctx.store, rt, old);
  if (marked) return { code: 200, body: marked };
  return {
    code: 200,
    body: {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name, ...(rt.group ? { group: rt.group } : {}), kind: rt.plural, uid: old.metadata.uid },
    },
  };
}
