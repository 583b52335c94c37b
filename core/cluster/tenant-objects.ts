import type { Plan, ResourceQuota } from "../plans/schema.js";
import { namespaceForSlug } from "../tenant/slug.js";

/**
 * The Kubernetes objects that make a tenant's namespace, as plain wire-format JSON (what the API
 * server and `kubectl apply --server-side` take). Not client-node model classes: their serializer
 * drops wire names such as NetworkPolicy `from` and LimitRange `default`.
 */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  [field: string]: unknown;
};

export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const TENANT_ID_LABEL = "embark.io/tenant-id";
export const PLAN_LABEL = "embark.io/plan";
export const TENANT_ROLE = "tenant-admin";

/** The Kubernetes group Embark's cluster functions act as (their EKS access entries map their roles to it). */
export const PROVISIONER_GROUP = "embark-provisioner";

/** The Kubernetes group (EKS access entry `kubernetesGroups`) holding a tenant's admins. */
export function TENANT_GROUP(slug: string): string {
  return `embark:tenant:${slug}:admins`;
}

/** A suspended tenant keeps its data but can start no pods. */
export function suspendedQuota(plan: Pick<Plan, "quota">): ResourceQuota {
  return { ...plan.quota, pods: "0" };
}

const ALL_VERBS = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];
const READ_VERBS = ["get", "list", "watch"];

/**
 * The tenant admin's rights inside the namespace. Deliberately absent, as guard rails: networkpolicies,
 * resourcequotas, limitranges, roles, rolebindings, serviceaccounts, namespaces.
 */
export const TENANT_ADMIN_RULES = [
  {
    apiGroups: [""],
    resources: ["pods", "pods/log", "services", "configmaps", "secrets", "persistentvolumeclaims"],
    verbs: ALL_VERBS,
  },
  { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "replicasets"], verbs: ALL_VERBS },
  { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: ALL_VERBS },
  { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: ALL_VERBS },
  { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: ALL_VERBS },
  { apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: READ_VERBS },
];

export type TenantObjectsInput = {
  tenantId: string;
  slug: string;
  plan: Pick<Plan, "id" | "quota" | "limits">;
  /** Apply the suspended quota (pods "0") instead of the plan's. */
  suspended?: boolean;
};

/** The tenant's objects in apply order (the Namespace first). */
export function tenantObjects({ tenantId, slug, plan, suspended = false }: TenantObjectsInput): KubeObject[] {
  const namespace = namespaceForSlug(slug);
  const labels = { [MANAGED_BY_LABEL]: "embark", [TENANT_ID_LABEL]: tenantId };
  const meta = (name: string) => ({ name, namespace, labels: { ...labels } });
  const allPods = {};
  return [
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: namespace,
        labels: {
          ...labels,
          [PLAN_LABEL]: plan.id,
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/enforce-version": "latest",
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: meta("tenant-quota"),
      spec: { hard: suspended ? suspendedQuota(plan) : { ...plan.quota } },
    },
    {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: meta("tenant-limits"),
      spec: {
        limits: [
          {
            type: "Container",
            default: { ...plan.limits.default },
            defaultRequest: { ...plan.limits.defaultRequest },
            max: { ...plan.limits.max },
          },
        ],
      },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("default-deny-all"),
      spec: { podSelector: allPods, policyTypes: ["Ingress", "Egress"] },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("allow-same-namespace"),
      spec: {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        // A peer with only podSelector means "pods in this namespace".
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [{ to: [{ podSelector: {} }] }],
      },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("allow-dns-egress"),
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            // One peer with both selectors: kube-dns pods in kube-system (AND, not OR).
            to: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
              },
            ],
            ports: [
              { protocol: "UDP", port: 53 },
              { protocol: "TCP", port: 53 },
            ],
          },
        ],
      },
    },
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: meta("tenant-workloads"),
      automountServiceAccountToken: false,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: meta(TENANT_ROLE),
      rules: TENANT_ADMIN_RULES.map((r) => ({
        apiGroups: [...r.apiGroups],
        resources: [...r.resources],
        verbs: [...r.verbs],
      })),
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: meta(TENANT_ROLE),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: TENANT_ROLE },
      subjects: [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: TENANT_GROUP(slug) }],
    },
  ];
}
