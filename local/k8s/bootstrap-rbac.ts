/**
 * The built-in ClusterRoles and ClusterRoleBindings kube-apiserver creates at start-up (its bootstrap-roles
 * hook, labelled kubernetes.io/bootstrapping=rbac-defaults), simplified to what tenant RBAC refers to:
 * cluster-admin (bound to system:masters), system:discovery and system:basic-user (bound to every authenticated
 * user, so `kubectl --as` can discover and `kubectl auth can-i` can ask), and the user-facing admin, edit and view
 * as aggregated roles over their system:aggregate-to-* parts. Like the apiserver, missing ones are recreated at
 * every start; existing ones are left as they are.
 *
 * Simplified: the aggregate parts list the core, apps, batch, autoscaling, networking and RBAC resources (not
 * every API group the real ones cover), and aggregated rules are computed when authorizing (the real
 * clusterrole-aggregation controller writes them into the role).
 */
import { trackUpdate } from "./managed-fields.js";
import { finishWrite } from "./objects.js";
import type { PolicyRule } from "./rbac.js";
import { type KubeObject, RESOURCES, type ResourceType } from "./resources.js";
import type { Store } from "./store.js";

const RBAC = "rbac.authorization.k8s.io";
const CLUSTER_ROLE = RESOURCES.find((r) => r.kind === "ClusterRole") as ResourceType;
const CLUSTER_ROLE_BINDING = RESOURCES.find((r) => r.kind === "ClusterRoleBinding") as ResourceType;
const DEFAULTS = { "kubernetes.io/bootstrapping": "rbac-defaults" };

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];

const rule = (apiGroups: string[], resources: string[], verbs: string[]): PolicyRule => ({
  apiGroups,
  resources,
  verbs,
});

/** What `view` reads: workloads and their configuration, quota and limits, never Secrets. */
const VIEW_RULES: PolicyRule[] = [
  rule(
    [""],
    [
      "configmaps",
      "endpoints",
      "persistentvolumeclaims",
      "persistentvolumeclaims/status",
      "pods",
      "replicationcontrollers",
      "replicationcontrollers/scale",
      "serviceaccounts",
      "services",
      "services/status",
      "bindings",
      "events",
      "limitranges",
      "namespaces/status",
      "pods/log",
      "pods/status",
      "replicationcontrollers/status",
      "resourcequotas",
      "resourcequotas/status",
    ],
    READ,
  ),
  rule([""], ["namespaces"], READ),
  rule(
    ["apps"],
    [
      "controllerrevisions",
      "daemonsets",
      "daemonsets/status",
      "deployments",
      "deployments/scale",
      "deployments/status",
      "replicasets",
      "replicasets/scale",
      "replicasets/status",
      "statefulsets",
      "statefulsets/scale",
      "statefulsets/status",
    ],
    READ,
  ),
  rule(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], READ),
  rule(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], READ),
  rule(["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"], READ),
];

/** What `edit` adds: writing workloads, Secrets and NetworkPolicies (not quota, limits or RBAC). */
const EDIT_RULES: PolicyRule[] = [
  rule(
    [""],
    ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"],
    READ,
  ),
  rule([""], ["serviceaccounts"], ["impersonate"]),
  rule([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], WRITE),
  rule([""], ["pods/eviction"], ["create"]),
  rule(
    [""],
    [
      "configmaps",
      "events",
      "persistentvolumeclaims",
      "replicationcontrollers",
      "replicationcontrollers/scale",
      "secrets",
      "serviceaccounts",
      "services",
      "services/proxy",
    ],
    WRITE,
  ),
  rule([""], ["serviceaccounts/token"], ["create"]),
  rule(
    ["apps"],
    [
      "daemonsets",
      "deployments",
      "deployments/rollback",
      "deployments/scale",
      "replicasets",
      "replicasets/scale",
      "statefulsets",
      "statefulsets/scale",
    ],
    WRITE,
  ),
  rule(["autoscaling"], ["horizontalpodautoscalers"], WRITE),
  rule(["batch"], ["cronjobs", "jobs"], WRITE),
  rule(["networking.k8s.io"], ["ingresses", "networkpolicies"], WRITE),
];

/** What `admin` adds: the namespace's RBAC and local access reviews. */
const ADMIN_RULES: PolicyRule[] = [
  rule(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
  rule([RBAC], ["rolebindings", "roles"], [...WRITE, ...READ]),
];

const DISCOVERY_URLS = [
  "/api",
  "/api/*",
  "/apis",
  "/apis/*",
  "/healthz",
  "/livez",
  "/openapi",
  "/openapi/*",
  "/readyz",
  "/version",
  "/version/",
];

const aggregateLabel = (role: string) => `rbac.authorization.k8s.io/aggregate-to-${role}`;

const clusterRole = (name: string, body: Record<string, unknown>, labels: Record<string, string> = {}) => ({
  apiVersion: `${RBAC}/v1`,
  kind: "ClusterRole",
  metadata: {
    name,
    labels: { ...DEFAULTS, ...labels },
    annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
  },
  ...body,
});

const aggregated = (name: string, parts: string[]) =>
  clusterRole(name, {
    aggregationRule: {
      clusterRoleSelectors: parts.map((p) => ({ matchLabels: { [aggregateLabel(p)]: "true" } })),
    },
    rules: [],
  });

const binding = (name: string, role: string, group: string) => ({
  apiVersion: `${RBAC}/v1`,
  kind: "ClusterRoleBinding",
  metadata: {
    name,
    labels: { ...DEFAULTS },
    annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
  },
  roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: role },
  subjects: [{ apiGroup: RBAC, kind: "Group", name: group }],
});

export const BOOTSTRAP_CLUSTER_ROLES = [
  clusterRole("cluster-admin", {
    rules: [
      { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
      { nonResourceURLs: ["*"], verbs: ["*"] },
    ],
  }),
  clusterRole("system:discovery", { rules: [{ nonResourceURLs: DISCOVERY_URLS, verbs: ["get"] }] }),
  clusterRole("system:basic-user", {
    rules: [
      rule(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]),
    ],
  }),
  // admin aggregates admin's, edit's and view's parts, as the real roles do through their labels.
  aggregated("admin", ["admin"]),
  aggregated("edit", ["edit"]),
  aggregated("view", ["view"]),
  clusterRole("system:aggregate-to-admin", { rules: ADMIN_RULES }, { [aggregateLabel("admin")]: "true" }),
  clusterRole(
    "system:aggregate-to-edit",
    { rules: EDIT_RULES },
    { [aggregateLabel("admin")]: "true", [aggregateLabel("edit")]: "true" },
  ),
  clusterRole(
    "system:aggregate-to-view",
    { rules: VIEW_RULES },
    { [aggregateLabel("admin")]: "true", [aggregateLabel("edit")]: "true", [aggregateLabel("view")]: "true" },
  ),
] satisfies KubeObject[];

export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS = [
  binding("cluster-admin", "cluster-admin", "system:masters"),
  binding("system:discovery", "system:discovery", "system:authenticated"),
  binding("system:basic-user", "system:basic-user", "system:authenticated"),
] satisfies KubeObject[];

/** Creates the built-in roles and bindings that are missing (the apiserver's bootstrap-roles post-start hook). */
export function bootstrapRbac(store: Store): void {
  const ensure = (rt: ResourceType, obj: KubeObject) => {
    if (store.get(rt, undefined, obj.metadata.name as string)) return;
    const next = finishWrite(rt, structuredClone(obj), undefined);
    next.metadata.managedFields = trackUpdate(undefined, next, "kube-apiserver", `${RBAC}/v1`);
    store.write(rt, next, undefined);
  };
  for (const role of BOOTSTRAP_CLUSTER_ROLES) ensure(CLUSTER_ROLE, role);
  for (const b of BOOTSTRAP_CLUSTER_ROLE_BINDINGS) ensure(CLUSTER_ROLE_BINDING, b);
}
