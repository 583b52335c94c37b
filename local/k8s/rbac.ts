/**
 * The RBAC authorizer, as kube-apiserver's (plugin/pkg/auth/authorizer/rbac) decides: a request is allowed when
 * a rule of a role bound to the user (or one of its groups) covers it. ClusterRoleBindings grant their
 * ClusterRole everywhere; RoleBindings grant their Role, or a ClusterRole, in their namespace. A rule covers a
 * request when its verbs, apiGroups, resources (`resource/subresource`, `*`, `*\/subresource`) and resourceNames
 * (empty: any) all match, or, for a non-resource request, its nonResourceURLs (`/path`, `/prefix/*`, `*`).
 * Aggregated ClusterRoles take the rules of the ClusterRoles their selectors match. Nothing is cached: the
 * stored objects are read on every decision.
 */
import { isRecord, type KubeObject, RESOURCES, type ResourceType } from "./resources.js";
import type { Store } from "./store.js";

export interface UserInfo {
  name: string;
  groups: string[];
}

/** What a request asks to do (the apiserver's authorizer.Attributes). */
export type RequestAttributes =
  | {
      kind: "resource";
      verb: string;
      apiGroup: string;
      resource: string;
      subresource?: string;
      name?: string;
      /** Empty for cluster-scoped kinds and requests across all namespaces. */
      namespace?: string;
    }
  | { kind: "nonResource"; verb: string; path: string };

export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Decision {
  allowed: boolean;
  /** Which binding allowed it, worded as the apiserver's RBAC authorizer does. */
  reason: string;
}

const RBAC = "rbac.authorization.k8s.io";
const kind = (k: string): ResourceType =>
  RESOURCES.find((r) => r.group === RBAC && r.kind === k) as ResourceType;
const ROLE = kind("Role");
const ROLE_BINDING = kind("RoleBinding");
const CLUSTER_ROLE = kind("ClusterRole");
const CLUSTER_ROLE_BINDING = kind("ClusterRoleBinding");

const has = (list: unknown, value: string): boolean => Array.isArray(list) && list.includes(value);

function resourceMatches(rule: PolicyRule, resource: string, subresource: string | undefined): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return (rule.resources ?? []).some(
    (r) => r === "*" || r === combined || (subresource !== undefined && r === `*/${subresource}`),
  );
}

function nonResourceMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some(
    (u) => u === "*" || u === path || (u.endsWith("*") && path.startsWith(u.slice(0, -1))),
  );
}

/** Whether one rule covers the request. */
export function ruleAllows(rule: PolicyRule, a: RequestAttributes): boolean {
  if (!has(rule.verbs, a.verb) && !has(rule.verbs, "*")) return false;
  if (a.kind === "nonResource") return nonResourceMatches(rule, a.path);
  if (!has(rule.apiGroups, a.apiGroup) && !has(rule.apiGroups, "*")) return false;
  if (!resourceMatches(rule, a.resource, a.subresource)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (a.name !== undefined && names.includes(a.name));
}

const rulesOf = (role: KubeObject | undefined): PolicyRule[] =>
  Array.isArray(role?.rules) ? (role.rules as PolicyRule[]).filter(isRecord) : [];

/** A metav1.LabelSelector (matchLabels AND matchExpressions) against an object's labels. */
export function matchesLabelSelector(selector: unknown, labels: Record<string, string> = {}): boolean {
  if (!isRecord(selector)) return false;
  const byLabel = isRecord(selector.matchLabels) ? Object.entries(selector.matchLabels) : [];
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions.filter(isRecord) : [];
  return (
    byLabel.every(([k, v]) => labels[k] === v) &&
    exprs.every((e) => {
      const value = labels[String(e.key)];
      const values = Array.isArray(e.values) ? e.values.map(String) : [];
      if (e.operator === "In") return value !== undefined && values.includes(value);
      if (e.operator === "NotIn") return value === undefined || !values.includes(value);
      if (e.operator === "Exists") return value !== undefined;
      if (e.operator === "DoesNotExist") return value === undefined;
      return false;
    })
  );
}

/** A ClusterRole's rules; an aggregated one's are those of the ClusterRoles its selectors match. */
function clusterRoleRules(store: Store, name: string): PolicyRule[] {
  const role = store.get(CLUSTER_ROLE, undefined, name);
  const aggregation = isRecord(role?.aggregationRule) ? role.aggregationRule : undefined;
  const selectors = Array.isArray(aggregation?.clusterRoleSelectors) ? aggregation.clusterRoleSelectors : [];
  if (selectors.length === 0) return rulesOf(role);
  const members = store
    .list(CLUSTER_ROLE)
    .filter(
      (r) => r.metadata.name !== name && selectors.some((s) => matchesLabelSelector(s, r.metadata.labels)),
    );
  return [...rulesOf(role), ...members.flatMap((r) => rulesOf(r))];
}

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

/** Whether a binding's subject is this user: the user by name, a group of theirs, or their service account. */
function subjectIs(s: Subject, user: UserInfo, bindingNamespace: string | undefined): boolean {
  if (s.kind === "User") return s.name === user.name;
  if (s.kind === "Group") return s.name !== undefined && user.groups.includes(s.name);
  if (s.kind === "ServiceAccount")
    return user.name === `system:serviceaccount:${s.namespace ?? bindingNamespace}:${s.name}`;
  return false;
}

function describeSubject(s: Subject): string {
  return s.kind === "ServiceAccount" ? `ServiceAccount "${s.namespace}/${s.name}"` : `${s.kind} "${s.name}"`;
}

/** Decides a request the way the RBAC authorizer does: the first binding whose role covers it allows it. */
export function authorize(store: Store, user: UserInfo, a: RequestAttributes): Decision {
  for (const binding of store.list(CLUSTER_ROLE_BINDING)) {
    const ref = isRecord(binding.roleRef) ? binding.roleRef : {};
    const subjects = (Array.isArray(binding.subjects) ? binding.subjects : []) as Subject[];
    const subject = subjects.find((s) => subjectIs(s, user, undefined));
    if (!subject || ref.kind !== "ClusterRole") continue;
    if (clusterRoleRules(store, String(ref.name)).some((r) => ruleAllows(r, a)))
      return {
        allowed: true,
        reason: `RBAC: allowed by ClusterRoleBinding "${binding.metadata.name}" of ClusterRole "${ref.name}" to ${describeSubject(subject)}`,
      };
  }
  const ns = a.kind === "resource" ? a.namespace : undefined;
  if (ns) {
    for (const binding of store.list(ROLE_BINDING, ns)) {
      const ref = isRecord(binding.roleRef) ? binding.roleRef : {};
      const subjects = (Array.isArray(binding.subjects) ? binding.subjects : []) as Subject[];
      const subject = subjects.find((s) => subjectIs(s, user, ns));
      if (!subject) continue;
      const rules =
        ref.kind === "ClusterRole"
          ? clusterRoleRules(store, String(ref.name))
          : ref.kind === "Role"
            ? rulesOf(store.get(ROLE, ns, String(ref.name)))
            : [];
      if (rules.some((r) => ruleAllows(r, a)))
        return {
          allowed: true,
          reason: `RBAC: allowed by RoleBinding "${binding.metadata.name}/${ns}" of ${ref.kind} "${ref.name}" to ${describeSubject(subject)}`,
        };
    }
  }
  return { allowed: false, reason: "" };
}

/** The apiserver's words for a refusal (responsewriters.forbiddenMessage). */
export function forbiddenMessage(user: UserInfo, a: RequestAttributes): string {
  if (a.kind === "nonResource") return `User "${user.name}" cannot ${a.verb} path "${a.path}"`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
  return `User "${user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${where}`;
}
