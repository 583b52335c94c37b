/**
 * Who a request acts as, and whether it may: the apiserver's impersonation filter and authorization step for
 * the stand-in. Requests with `Impersonate-User` (kubectl `--as`, plus `Impersonate-Group` for each `--as-group`)
 * act as that user and are authorized by RBAC (rbac.ts), answering 403 Forbidden in the apiserver's words.
 * Requests without impersonation come from the kubeconfig's user, which is a cluster administrator (the
 * apiserver lets system:masters through without RBAC): Embark's provisioner, kubectl and client-node as before.
 *
 * Also POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews, which `kubectl auth can-i` sends: it answers
 * whether the requesting (impersonated) user may do what the review's spec says.
 *
 * Gaps: no authentication (any bearer token is the administrator), no `impersonate` permission check on the
 * administrator (it may impersonate anyone), no Impersonate-Uid/Extra semantics beyond being accepted, no
 * SelfSubjectRulesReview (`kubectl auth can-i --list`), no RBAC escalation prevention (a user allowed to write
 * Roles could grant more than it holds; tenant admins cannot write Roles at all).
 */
import type { IncomingMessage } from "node:http";
import { decodeSelfSubjectAccessReview, PROTOBUF } from "./protobuf.js";
import { authorize, forbiddenMessage, type RequestAttributes, type UserInfo } from "./rbac.js";
import { isRecord, qualifiedResource, type ResourceType } from "./resources.js";
import { ApiError, badRequest } from "./status.js";
import type { Store } from "./store.js";

/** The route of a resource request, as server.ts resolves it. */
export interface ResourceRoute {
  rt: ResourceType;
  ns?: string;
  name?: string;
}

/** The impersonated user of a request, or undefined for the (unrestricted) kubeconfig user. */
export function requestUser(req: Pick<IncomingMessage, "headersDistinct" | "url">): UserInfo | undefined {
  const h = req.headersDistinct;
  const name = h["impersonate-user"]?.[0];
  const groups = h["impersonate-group"] ?? [];
  const others = Object.keys(h).filter((k) => k === "impersonate-uid" || k.startsWith("impersonate-extra-"));
  if (name === undefined) {
    if (groups.length === 0 && others.length === 0) return undefined;
    const asked = [...groups.map((g) => `{Group  ${g}}`), ...others.map((k) => `{${k}}`)];
    throw new ApiError(
      500,
      "InternalError",
      `Internal error occurred: requested [${asked.join(" ")}] without impersonating a user`,
    );
  }
  const all = [...groups];
  // As the apiserver: a service account's groups, and system:authenticated for everyone but anonymous.
  const sa = /^system:serviceaccount:([^:]+):[^:]+$/.exec(name);
  if (sa) all.push("system:serviceaccounts", `system:serviceaccounts:${sa[1]}`);
  if (name !== "system:anonymous" && !all.includes("system:authenticated")) all.push("system:authenticated");
  return { name, groups: [...new Set(all)] };
}

const NON_RESOURCE_VERBS: Record<string, string> = {
  GET: "get",
  HEAD: "head",
  POST: "post",
  PUT: "put",
  PATCH: "patch",
  DELETE: "delete",
  OPTIONS: "options",
};

/** The request's attributes, as the apiserver's RequestInfo derives them (verb from method, name and query). */
export function requestAttributes(
  method: string,
  parts: string[],
  query: URLSearchParams,
  route: ResourceRoute | undefined,
): RequestAttributes {
  if (!route)
    return {
      kind: "nonResource",
      verb: NON_RESOURCE_VERBS[method] ?? method.toLowerCase(),
      path: `/${parts.join("/")}`,
    };
  const { rt, name } = route;
  const watching = query.get("watch") === "true" || query.get("watch") === "1";
  const verb =
    method === "GET"
      ? name !== undefined
        ? "get"
        : watching
          ? "watch"
          : "list"
      : method === "POST"
        ? "create"
        : method === "PUT"
          ? "update"
          : method === "PATCH"
            ? "patch"
            : method === "DELETE"
              ? name !== undefined
                ? "delete"
                : "deletecollection"
              : method.toLowerCase();
  // A Namespace's own requests are in that namespace (RequestInfo sets it from the name).
  const namespace = rt.kind === "Namespace" ? name : route.ns;
  return {
    kind: "resource",
    verb,
    apiGroup: rt.group,
    resource: rt.plural,
    ...(name !== undefined ? { name } : {}),
    ...(namespace ? { namespace } : {}),
  };
}

/** 403 Forbidden with the apiserver's Status: `<resource> "<name>" is forbidden: User … cannot …`. */
export function forbiddenError(user: UserInfo, a: RequestAttributes, rt?: ResourceType): ApiError {
  const why = forbiddenMessage(user, a);
  if (a.kind === "nonResource") return new ApiError(403, "Forbidden", `forbidden: ${why}`, {});
  const what = rt ? qualifiedResource(rt) : a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  return new ApiError(403, "Forbidden", `${what}${a.name ? ` "${a.name}"` : ""} is forbidden: ${why}`, {
    ...(a.name ? { name: a.name } : {}),
    ...(a.apiGroup ? { group: a.apiGroup } : {}),
    kind: a.resource,
  });
}

/** Throws 403 unless RBAC lets the impersonated user make this request. */
export function guard(store: Store, user: UserInfo, a: RequestAttributes, rt?: ResourceType): void {
  if (!authorize(store, user, a).allowed) throw forbiddenError(user, a, rt);
}

const REVIEW_PATH = "apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
export const isSelfSubjectAccessReview = (method: string, parts: string[]): boolean =>
  method === "POST" && parts.join("/") === REVIEW_PATH;

/** The attributes a review's spec asks about. */
export const reviewRequestAttributes = (): RequestAttributes => ({
  kind: "resource",
  verb: "create",
  apiGroup: "authorization.k8s.io",
  resource: "selfsubjectaccessreviews",
});

/** Answers a SelfSubjectAccessReview for `user` (undefined: the administrator, always allowed). */
export function selfSubjectAccessReview(
  store: Store,
  user: UserInfo | undefined,
  body: Buffer,
  contentType: string,
): unknown {
  let review: unknown;
  try {
    // kubectl sends built-in kinds as protobuf; client-node and curl as JSON.
    review =
      contentType === PROTOBUF ? decodeSelfSubjectAccessReview(body) : JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw badRequest(`the body of the request could not be decoded: ${(e as Error).message}`);
  }
  const spec = isRecord(review) && isRecord(review.spec) ? review.spec : undefined;
  const res = isRecord(spec?.resourceAttributes) ? spec.resourceAttributes : undefined;
  const nonRes = isRecord(spec?.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
  if (!spec || (!res && !nonRes) || (res && nonRes)) {
    throw new ApiError(
      422,
      "Invalid",
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
      {
        group: "authorization.k8s.io",
        kind: "SelfSubjectAccessReview",
        causes: [
          {
            reason: "FieldValueInvalid",
            message:
              'Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
            field: "spec.resourceAttributes",
          },
        ],
      },
    );
  }
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  const asked: RequestAttributes = res
    ? {
        kind: "resource",
        verb: str(res.verb),
        apiGroup: str(res.group),
        resource: str(res.resource),
        ...(str(res.subresource) ? { subresource: str(res.subresource) } : {}),
        ...(str(res.name) ? { name: str(res.name) } : {}),
        ...(str(res.namespace) ? { namespace: str(res.namespace) } : {}),
      }
    : { kind: "nonResource", verb: str(nonRes?.verb), path: str(nonRes?.path) };
  const decision = user ? authorize(store, user, asked) : { allowed: true, reason: "" };
  return {
    kind: "SelfSubjectAccessReview",
    apiVersion: "authorization.k8s.io/v1",
    metadata: { creationTimestamp: null },
    spec,
    status: { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) },
  };
}
