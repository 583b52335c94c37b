/** The kinds the stand-in serves, and the object shapes it stores. */
import type { ResourceType } from "./resource-type.js";
import { WORKLOAD_RESOURCES } from "./workload-resources.js";

export type { ResourceType };

export const RESOURCES: readonly ResourceType[] = [
  {
    group: "",
    version: "v1",
    kind: "Namespace",
    plural: "namespaces",
    singular: "namespace",
    namespaced: false,
    shortNames: ["ns"],
    hasStatus: true,
  },
  {
    group: "",
    version: "v1",
    kind: "ResourceQuota",
    plural: "resourcequotas",
    singular: "resourcequota",
    namespaced: true,
    shortNames: ["quota"],
    hasStatus: true,
  },
  {
    group: "",
    version: "v1",
    kind: "LimitRange",
    plural: "limitranges",
    singular: "limitrange",
    namespaced: true,
    shortNames: ["limits"],
  },
  {
    group: "",
    version: "v1",
    kind: "ServiceAccount",
    plural: "serviceaccounts",
    singular: "serviceaccount",
    namespaced: true,
    shortNames: ["sa"],
  },
  {
    group: "networking.k8s.io",
    version: "v1",
    kind: "NetworkPolicy",
    plural: "networkpolicies",
    singular: "networkpolicy",
    namespaced: true,
    shortNames: ["netpol"],
  },
  {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    kind: "Role",
    plural: "roles",
    singular: "role",
    namespaced: true,
    shortNames: [],
  },
  {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    kind: "RoleBinding",
    plural: "rolebindings",
    singular: "rolebinding",
    namespaced: true,
    shortNames: [],
  },
  ...WORKLOAD_RESOURCES,
];

export const NAMESPACES = RESOURCES[0]!;

export const apiVersionOf = (rt: ResourceType): string =>
  rt.group ? `${rt.group}/${rt.version}` : rt.version;

/** The name the apiserver uses in messages: `roles.rbac.authorization.k8s.io`, `namespaces`. */
export const qualifiedResource = (rt: ResourceType): string =>
  rt.group ? `${rt.plural}.${rt.group}` : rt.plural;

export const findResource = (group: string, version: string, plural: string): ResourceType | undefined =>
  RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);

export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: Record<string, unknown>;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Timestamps as the apiserver writes them: RFC 3339, whole seconds. */
export const nowTimestamp = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

export const clone = <T>(v: T): T => structuredClone(v);

/** Structural equality of JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

const META_ORDER = [
  "name",
  "generateName",
  "namespace",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
];
const rank = (k: string): number => (META_ORDER.includes(k) ? META_ORDER.indexOf(k) : META_ORDER.length);

/** Key order as the apiserver serializes: apiVersion, kind, metadata (Go field order), the rest, status. */
export function canonical(obj: KubeObject): KubeObject {
  const { apiVersion, kind, metadata, status, ...rest } = obj;
  const meta = Object.fromEntries(
    Object.entries(metadata)
      .filter(([k, v]) => !(k === "managedFields" && Array.isArray(v) && v.length === 0))
      .sort(([a], [b]) => rank(a) - rank(b)),
  );
  return { apiVersion, kind, metadata: meta, ...rest, ...(status === undefined ? {} : { status }) };
}
