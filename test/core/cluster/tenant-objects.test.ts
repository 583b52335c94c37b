import { describe, expect, it } from "vitest";
import {
  type KubeObject,
  suspendedQuota,
  TENANT_GROUP,
  tenantObjects,
} from "../../../core/cluster/tenant-objects.js";
import { DEFAULT_PLANS } from "../../../core/plans/catalog.js";

const plan = DEFAULT_PLANS[1]!; // standard
const tenantId = "0b9f2c1e-6d1a-4f7e-9a53-2f4c1d2b8e10";
const objects = tenantObjects({ tenantId, slug: "acme", plan });
const find = (kind: string, name: string): KubeObject => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`missing ${kind}/${name}`);
  return o;
};

describe("tenantObjects", () => {
  it("lists the objects in apply order, the Namespace first", () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "Namespace/tenant-acme",
      "ResourceQuota/tenant-quota",
      "LimitRange/tenant-limits",
      "NetworkPolicy/default-deny-all",
      "NetworkPolicy/allow-same-namespace",
      "NetworkPolicy/allow-dns-egress",
      "ServiceAccount/tenant-workloads",
      "Role/tenant-admin",
      "RoleBinding/tenant-admin",
    ]);
  });

  it("labels every object and namespaces all but the Namespace", () => {
    for (const o of objects) {
      expect(o.metadata.labels["app.kubernetes.io/managed-by"]).toBe("embark");
      expect(o.metadata.labels["embark.io/tenant-id"]).toBe(tenantId);
      if (o.kind !== "Namespace") expect(o.metadata.namespace).toBe("tenant-acme");
    }
    expect(find("Namespace", "tenant-acme").metadata).not.toHaveProperty("namespace");
  });

  it("uses the wire apiVersions", () => {
    const versions = Object.fromEntries(objects.map((o) => [o.kind, o.apiVersion]));
    expect(versions).toEqual({
      Namespace: "v1",
      ResourceQuota: "v1",
      LimitRange: "v1",
      NetworkPolicy: "networking.k8s.io/v1",
      ServiceAccount: "v1",
      Role: "rbac.authorization.k8s.io/v1",
      RoleBinding: "rbac.authorization.k8s.io/v1",
    });
  });

  it("enforces the restricted pod security standard and records the plan", () => {
    expect(find("Namespace", "tenant-acme").metadata.labels).toEqual({
      "app.kubernetes.io/managed-by": "embark",
      "embark.io/tenant-id": tenantId,
      "embark.io/plan": "standard",
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "latest",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
    });
  });

  it("quota and limit range come from the plan, in wire field names", () => {
    expect(find("ResourceQuota", "tenant-quota").spec).toEqual({ hard: plan.quota });
    expect(find("LimitRange", "tenant-limits").spec).toEqual({
      limits: [
        {
          type: "Container",
          default: { cpu: "1", memory: "1Gi" },
          defaultRequest: { cpu: "250m", memory: "256Mi" },
          max: { cpu: "2", memory: "4Gi" },
        },
      ],
    });
    expect(JSON.stringify(objects)).not.toMatch(/"_default"|"_from"/);
  });

  it("network policies: deny all, then same namespace and DNS", () => {
    expect(find("NetworkPolicy", "default-deny-all").spec).toEqual({
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
    });
    const same = find("NetworkPolicy", "allow-same-namespace").spec as Record<string, unknown>;
    expect(same.ingress).toEqual([{ from: [{ podSelector: {} }] }]);
    expect(same.egress).toEqual([{ to: [{ podSelector: {} }] }]);
    expect(same.policyTypes).toEqual(["Ingress", "Egress"]);
    // Neither peer may carry a namespaceSelector: {} would mean every namespace.
    expect(JSON.stringify(same)).not.toContain("namespaceSelector");
    // DNS only: one peer that is both kube-system and kube-dns (AND, not two peers), port 53 over UDP and TCP.
    const inKubeSystem = { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } };
    const kubeDns = {
      namespaceSelector: inKubeSystem,
      podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
    };
    const dnsPorts = ["UDP", "TCP"].map((protocol) => ({ protocol, port: 53 }));
    expect(find("NetworkPolicy", "allow-dns-egress").spec).toEqual({
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{ to: [kubeDns], ports: dnsPorts }],
    });
  });

  it("the workload service account mounts no token", () => {
    expect(find("ServiceAccount", "tenant-workloads").automountServiceAccountToken).toBe(false);
  });

  it("the admin role grants workloads but none of the guard rails", () => {
    const rules = find("Role", "tenant-admin").rules as Array<{
      apiGroups: string[];
      resources: string[];
      verbs: string[];
    }>;
    const grants = (resource: string, verb: string) =>
      rules.some((r) => r.resources.includes(resource) && (r.verbs.includes(verb) || r.verbs.includes("*")));
    for (const res of [
      "pods",
      "services",
      "configmaps",
      "secrets",
      "persistentvolumeclaims",
      "deployments",
      "statefulsets",
      "replicasets",
      "jobs",
      "cronjobs",
      "ingresses",
      "horizontalpodautoscalers",
    ]) {
      for (const verb of ["get", "list", "watch", "create", "update", "patch", "delete"]) {
        expect(grants(res, verb), `${verb} ${res}`).toBe(true);
      }
    }
    expect(grants("pods/log", "get")).toBe(true);
    expect(grants("events", "list")).toBe(true);
    expect(grants("events", "create")).toBe(false);
    expect(grants("events", "delete")).toBe(false);
    for (const res of [
      "networkpolicies",
      "resourcequotas",
      "limitranges",
      "roles",
      "rolebindings",
      "namespaces",
      "serviceaccounts",
    ]) {
      expect(
        rules.some((r) => r.resources.includes(res) || r.resources.includes("*")),
        res,
      ).toBe(false);
    }
    for (const r of rules) {
      expect(r.verbs).not.toContain("*");
      expect(r.verbs).not.toContain("escalate");
      expect(r.verbs).not.toContain("bind");
      expect(r.apiGroups).not.toContain("*");
    }
    const byGroup = (res: string) =>
      rules.filter((r) => r.resources.includes(res)).flatMap((r) => r.apiGroups);
    expect(byGroup("deployments")).toEqual(["apps"]);
    expect(byGroup("cronjobs")).toEqual(["batch"]);
    expect(byGroup("ingresses")).toEqual(["networking.k8s.io"]);
    expect(byGroup("horizontalpodautoscalers")).toEqual(["autoscaling"]);
  });

  it("binds the role to the tenant's admin group", () => {
    expect(TENANT_GROUP("acme")).toBe("embark:tenant:acme:admins");
    const rb = find("RoleBinding", "tenant-admin");
    expect(rb.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "tenant-admin" });
    expect(rb.subjects).toEqual([
      { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "embark:tenant:acme:admins" },
    ]);
  });

  it("suspension sets pods to 0 and keeps the rest", () => {
    expect(suspendedQuota(plan)).toEqual({ ...plan.quota, pods: "0" });
    expect(plan.quota.pods).toBe("50");
    const suspended = tenantObjects({ tenantId, slug: "acme", plan, suspended: true });
    expect(suspended.find((o) => o.kind === "ResourceQuota")?.spec).toEqual({
      hard: { ...plan.quota, pods: "0" },
    });
  });

  it("returns fresh objects that share nothing with the plan", () => {
    const a = tenantObjects({ tenantId, slug: "acme", plan });
    const quota = a.find((o) => o.kind === "ResourceQuota") as KubeObject & {
      spec: { hard: Record<string, string> };
    };
    quota.spec.hard.pods = "999";
    quota.metadata.labels.extra = "x";
    expect(plan.quota.pods).toBe("50");
    expect(tenantObjects({ tenantId, slug: "acme", plan })[3]?.metadata.labels).not.toHaveProperty("extra");
  });

  it("refuses an invalid slug", () => {
    expect(() => tenantObjects({ tenantId, slug: "kube-system", plan })).toThrow(/reserved/);
  });
});
