/** What the apiserver does to every write: check the body against the URL, validate names, default, stamp metadata. */
import { randomBytes, randomUUID } from "node:crypto";
import {
  apiVersionOf,
  clone,
  deepEqual,
  isRecord,
  type KubeObject,
  nowTimestamp,
  type ResourceType,
} from "./resources.js";
import { badRequest, invalid } from "./status.js";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const labelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** Why a name is invalid for this kind (Namespace: DNS-1123 label; RBAC: path segment; others: subdomain). */
function nameProblem(rt: ResourceType, name: string): string | undefined {
  if (rt.kind === "Namespace") {
    if (name.length > 63) return "must be no more than 63 characters";
    return DNS1123_LABEL.test(name) ? undefined : labelMsg;
  }
  if (rt.group === "rbac.authorization.k8s.io") {
    if (name === "." || name === "..") return `may not be '${name}'`;
    return /[/%]/.test(name) ? "may not contain '/' or '%'" : undefined;
  }
  if (name.length > 253) return "must be no more than 253 characters";
  return DNS1123_SUBDOMAIN.test(name) ? undefined : subdomainMsg;
}

/**
 * Checks a request body against the URL: a JSON object of this kind and apiVersion if it says (422 otherwise), in the URL's
 * namespace and with the URL's name (400 otherwise, as the apiserver does), with a valid name (422).
 */
export function checkBody(
  rt: ResourceType,
  body: unknown,
  ns: string | undefined,
  urlName?: string,
): KubeObject {
  if (!isRecord(body)) throw badRequest("the body of the request must be a JSON or YAML object");
  const obj = clone(body) as KubeObject;
  if (!isRecord(obj.metadata)) obj.metadata = {};
  const meta = obj.metadata;
  if (!meta.name && meta.generateName && urlName === undefined)
    meta.name = `${meta.generateName}${randomBytes(3).toString("hex").slice(0, 5)}`;
  const name = String(meta.name ?? urlName ?? "");
  // Like the apiserver's decoder, a body without kind/apiVersion takes them from the URL (client-node omits them).
  obj.kind ??= rt.kind;
  obj.apiVersion ??= apiVersionOf(rt);
  if (obj.kind !== rt.kind || obj.apiVersion !== apiVersionOf(rt)) {
    const field = obj.kind !== rt.kind ? "kind" : "apiVersion";
    const want = field === "kind" ? rt.kind : apiVersionOf(rt);
    throw invalid(rt, name, [
      {
        reason: "FieldValueInvalid",
        message: `Invalid value: "${String(obj[field] ?? "")}": must be ${want}`,
        field,
      },
    ]);
  }
  if (rt.namespaced && meta.namespace && meta.namespace !== ns)
    throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  if (rt.namespaced) meta.namespace = ns;
  else delete meta.namespace;
  if (urlName !== undefined && meta.name && meta.name !== urlName)
    throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${urlName})`);
  if (!meta.name) {
    if (urlName === undefined)
      throw invalid(rt, "", [
        {
          reason: "FieldValueRequired",
          message: "Required value: name or generateName is required",
          field: "metadata.name",
        },
      ]);
    meta.name = urlName;
  }
  const problem = nameProblem(rt, meta.name);
  if (problem)
    throw invalid(rt, meta.name, [
      {
        reason: "FieldValueInvalid",
        message: `Invalid value: "${meta.name}": ${problem}`,
        field: "metadata.name",
      },
    ]);
  return obj;
}

/** The defaulting the apiserver applies to these kinds. */
function applyDefaults(obj: KubeObject): void {
  const spec = isRecord(obj.spec) ? obj.spec : undefined;
  if (obj.kind === "Namespace") {
    obj.metadata.labels = { ...obj.metadata.labels, "kubernetes.io/metadata.name": obj.metadata.name! };
    obj.spec = { finalizers: ["kubernetes"], ...spec };
    obj.status = {
      ...(isRecord(obj.status) ? obj.status : {}),
      phase: obj.metadata.deletionTimestamp ? "Terminating" : "Active",
    };
  }
  if (obj.kind === "NetworkPolicy" && spec) {
    spec.policyTypes ??= spec.egress ? ["Ingress", "Egress"] : ["Ingress"];
    for (const dir of ["ingress", "egress"])
      for (const rule of Array.isArray(spec[dir]) ? spec[dir] : [])
        for (const port of isRecord(rule) && Array.isArray(rule.ports) ? rule.ports : [])
          if (isRecord(port)) port.protocol ??= "TCP";
  }
  if (obj.kind === "LimitRange" && spec && Array.isArray(spec.limits)) {
    for (const item of spec.limits) {
      if (!isRecord(item) || item.type !== "Container") continue;
      // As SetDefaults_LimitRangeItem: default falls back to max, defaultRequest to default.
      if (isRecord(item.max)) item.default = { ...item.max, ...(isRecord(item.default) ? item.default : {}) };
      if (isRecord(item.default))
        item.defaultRequest = {
          ...item.default,
          ...(isRecord(item.defaultRequest) ? item.defaultRequest : {}),
        };
    }
  }
}

const body = (o: KubeObject): Record<string, unknown> => {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
};

/**
 * Stamps server-owned metadata on `next` (kept from `old` on updates), keeps a status subresource's stored
 * status, defaults, and bumps generation when anything but metadata and status changed.
 */
export function finishWrite(rt: ResourceType, next: KubeObject, old: KubeObject | undefined): KubeObject {
  const obj = clone(next);
  obj.apiVersion = apiVersionOf(rt);
  obj.kind = rt.kind;
  const m = obj.metadata;
  for (const k of [
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "deletionTimestamp",
    "generation",
    "selfLink",
  ])
    delete m[k];
  delete m.generateName;
  m.uid = old?.metadata.uid ?? randomUUID();
  m.creationTimestamp = old?.metadata.creationTimestamp ?? nowTimestamp();
  if (old?.metadata.deletionTimestamp) m.deletionTimestamp = old.metadata.deletionTimestamp;
  if (rt.hasStatus || !old) {
    if (old?.status !== undefined) obj.status = clone(old.status);
    else delete obj.status;
  }
  applyDefaults(obj);
  const oldGen = old?.metadata.generation ?? 0;
  m.generation = old && deepEqual(body(old), body(obj)) ? oldGen : oldGen + 1;
  return obj;
}

/** Default field manager for non-apply writes: the User-Agent up to its first "/", as the apiserver does. */
export const managerFromUserAgent = (ua: string | undefined): string =>
  (ua ?? "unknown").split("/")[0]!.slice(0, 128);
