/**
 * The kinds beyond Embark's own objects that the RBAC guard rails are about: the workloads a tenant admin
 * manages in its namespace (what the tenant Role grants), and cluster-wide RBAC (ClusterRole,
 * ClusterRoleBinding), which the built-in roles and impersonated requests are authorized by. Stored and served
 * like every other kind; nothing runs them (no controllers, no scheduler: a Deployment makes no Pods).
 */
import type { ResourceType } from "./resource-type.js";

const namespaced = (
  group: string,
  kind: string,
  plural: string,
  shortNames: string[] = [],
): ResourceType => ({
  group,
  version: "v1",
  kind,
  plural,
  singular: kind.toLowerCase(),
  namespaced: true,
  shortNames,
});

export const WORKLOAD_RESOURCES: readonly ResourceType[] = [
  { ...namespaced("", "Pod", "pods", ["po"]), hasStatus: true },
  namespaced("", "ConfigMap", "configmaps", ["cm"]),
  namespaced("", "Secret", "secrets"),
  { ...namespaced("", "Service", "services", ["svc"]), hasStatus: true },
  { ...namespaced("", "PersistentVolumeClaim", "persistentvolumeclaims", ["pvc"]), hasStatus: true },
  { ...namespaced("apps", "Deployment", "deployments", ["deploy"]), hasStatus: true },
  { ...namespaced("apps", "StatefulSet", "statefulsets", ["sts"]), hasStatus: true },
  { ...namespaced("apps", "ReplicaSet", "replicasets", ["rs"]), hasStatus: true },
  { ...namespaced("batch", "Job", "jobs"), hasStatus: true },
  { ...namespaced("batch", "CronJob", "cronjobs", ["cj"]), hasStatus: true },
  { ...namespaced("networking.k8s.io", "Ingress", "ingresses", ["ing"]), hasStatus: true },
  {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    kind: "ClusterRole",
    plural: "clusterroles",
    singular: "clusterrole",
    namespaced: false,
    shortNames: [],
  },
  {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    kind: "ClusterRoleBinding",
    plural: "clusterrolebindings",
    singular: "clusterrolebinding",
    namespaced: false,
    shortNames: [],
  },
];
