/** The stand-in's RBAC authorizer over an in-memory store: rule matching, bindings, aggregation and its words. */
import { describe, expect, it } from "vitest";
import { bootstrapRbac } from "../../../local/k8s/bootstrap-rbac.js";
import { finishWrite } from "../../../local/k8s/objects.js";
import {
  authorize,
  forbiddenMessage,
  type PolicyRule,
  type RequestAttributes,
  ruleAllows,
} from "../../../local/k8s/rbac.js";
import { type KubeObject, RESOURCES } from "../../../local/k8s/resources.js";
import { Store } from "../../../local/k8s/store.js";

const kind = (k: string) => RESOURCES.find((r) => r.kind === k)!;
const res = (
  verb: string,
  resource: string,
  more: Partial<Extract<RequestAttributes, { kind: "resource" }>> = {},
) => ({ kind: "resource", verb, apiGroup: "", resource, ...more }) as RequestAttributes;

function put(store: Store, k: string, obj: Omit<KubeObject, "apiVersion" | "kind">): void {
  const rt = kind(k);
  store.write(
    rt,
    finishWrite(rt, { ...obj, apiVersion: "rbac.authorization.k8s.io/v1", kind: k } as KubeObject, undefined),
    undefined,
  );
}

describe("ruleAllows", () => {
  const pods: PolicyRule = { apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list"] };
  it.each([
    [pods, res("get", "pods"), true],
    [pods, res("delete", "pods"), false],
    [pods, res("get", "pods", { subresource: "log" }), true],
    [pods, res("get", "pods", { subresource: "exec" }), false],
    [pods, res("get", "pods", { apiGroup: "apps" }), false],
    [
      { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
      res("escalate", "roles", { apiGroup: "rbac.authorization.k8s.io" }),
      true,
    ],
    [
      { apiGroups: [""], resources: ["*/status"], verbs: ["get"] },
      res("get", "pods", { subresource: "status" }),
      true,
    ],
    [{ apiGroups: [""], resources: ["*/status"], verbs: ["get"] }, res("get", "pods"), false],
    [
      { apiGroups: [""], resources: ["configmaps"], resourceNames: ["app"], verbs: ["get"] },
      res("get", "configmaps", { name: "app" }),
      true,
    ],
    [
      { apiGroups: [""], resources: ["configmaps"], resourceNames: ["app"], verbs: ["get"] },
      res("get", "configmaps", { name: "other" }),
      false,
    ],
    [
      { apiGroups: [""], resources: ["configmaps"], resourceNames: ["app"], verbs: ["list"] },
      res("list", "configmaps"),
      false,
    ],
    [
      { nonResourceURLs: ["/apis/*"], verbs: ["get"] },
      { kind: "nonResource", verb: "get", path: "/apis/apps/v1" },
      true,
    ],
    [
      { nonResourceURLs: ["/api"], verbs: ["get"] },
      { kind: "nonResource", verb: "get", path: "/api/v1" },
      false,
    ],
    [pods, { kind: "nonResource", verb: "get", path: "/api" }, false],
  ] as [PolicyRule, RequestAttributes, boolean][])("%j covers %j: %s", (rule, a, allowed) => {
    expect(ruleAllows(rule, a)).toBe(allowed);
  });
});

describe("authorize", () => {
  const store = new Store();
  bootstrapRbac(store);
  put(store, "Role", {
    metadata: { name: "reader", namespace: "team" },
    rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }],
  });
  put(store, "RoleBinding", {
    metadata: { name: "readers", namespace: "team" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
    subjects: [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "team:readers" }],
  });
  put(store, "RoleBinding", {
    metadata: { name: "editors", namespace: "team" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
    subjects: [{ kind: "ServiceAccount", name: "ci", namespace: "build" }],
  });
  put(store, "ClusterRoleBinding", {
    metadata: { name: "auditors" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
    subjects: [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "audrey" }],
  });
  const reader = { name: "rita", groups: ["team:readers", "system:authenticated"] };
  const ci = { name: "system:serviceaccount:build:ci", groups: ["system:authenticated"] };
  const audrey = { name: "audrey", groups: ["system:authenticated"] };

  it("a RoleBinding grants its Role in its namespace only, to the group", () => {
    expect(authorize(store, reader, res("get", "configmaps", { namespace: "team", name: "x" }))).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "readers/team" of Role "reader" to Group "team:readers"',
    });
    expect(authorize(store, reader, res("get", "configmaps", { namespace: "other" })).allowed).toBe(false);
    expect(authorize(store, reader, res("delete", "configmaps", { namespace: "team" })).allowed).toBe(false);
    expect(
      authorize(store, { name: "rita", groups: [] }, res("get", "configmaps", { namespace: "team" })).allowed,
    ).toBe(false);
  });

  it("a RoleBinding to the aggregated edit ClusterRole grants edit's parts (view's too) to a service account", () => {
    const netpol = { apiGroup: "networking.k8s.io", namespace: "team" };
    expect(authorize(store, ci, res("delete", "networkpolicies", netpol)).allowed).toBe(true);
    expect(authorize(store, ci, res("list", "resourcequotas", { namespace: "team" })).allowed).toBe(true);
    expect(authorize(store, ci, res("update", "resourcequotas", { namespace: "team" })).allowed).toBe(false);
    expect(
      authorize(
        store,
        ci,
        res("create", "rolebindings", { apiGroup: "rbac.authorization.k8s.io", namespace: "team" }),
      ).allowed,
    ).toBe(false);
    expect(
      authorize(store, ci, res("delete", "networkpolicies", { ...netpol, namespace: "other" })).allowed,
    ).toBe(false);
  });

  it("a ClusterRoleBinding to view reads everywhere, never Secrets, never writes", () => {
    expect(authorize(store, audrey, res("list", "pods", { namespace: "any" }))).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by ClusterRoleBinding "auditors" of ClusterRole "view" to User "audrey"',
    });
    expect(authorize(store, audrey, res("get", "secrets", { namespace: "any" })).allowed).toBe(false);
    expect(authorize(store, audrey, res("delete", "pods", { namespace: "any" })).allowed).toBe(false);
  });

  it("every authenticated user may discover the API and review its own access, nothing more", () => {
    expect(authorize(store, audrey, { kind: "nonResource", verb: "get", path: "/apis" }).allowed).toBe(true);
    expect(
      authorize(store, audrey, { kind: "nonResource", verb: "get", path: "/openapi/v3/apis/apps/v1" })
        .allowed,
    ).toBe(true);
    expect(authorize(store, audrey, { kind: "nonResource", verb: "get", path: "/metrics" }).allowed).toBe(
      false,
    );
    const review = res("create", "selfsubjectaccessreviews", { apiGroup: "authorization.k8s.io" });
    expect(authorize(store, audrey, review).allowed).toBe(true);
    expect(authorize(store, { name: "system:anonymous", groups: [] }, review).allowed).toBe(false);
  });

  it("system:masters is cluster-admin", () => {
    const admin = { name: "root", groups: ["system:masters"] };
    expect(authorize(store, admin, res("delete", "namespaces", { name: "kube-system" })).allowed).toBe(true);
    expect(authorize(store, admin, { kind: "nonResource", verb: "get", path: "/metrics" }).allowed).toBe(
      true,
    );
  });
});

describe("forbiddenMessage (the apiserver's words)", () => {
  const u = { name: "alice", groups: [] };
  it.each([
    [
      res("delete", "resourcequotas", { namespace: "t", name: "q" }),
      'User "alice" cannot delete resource "resourcequotas" in API group "" in the namespace "t"',
    ],
    [
      res("create", "deployments", { apiGroup: "apps", namespace: "t" }),
      'User "alice" cannot create resource "deployments" in API group "apps" in the namespace "t"',
    ],
    [
      res("get", "pods", { subresource: "log", namespace: "t" }),
      'User "alice" cannot get resource "pods/log" in API group "" in the namespace "t"',
    ],
    [
      res("list", "namespaces"),
      'User "alice" cannot list resource "namespaces" in API group "" at the cluster scope',
    ],
    [{ kind: "nonResource", verb: "get", path: "/metrics" }, 'User "alice" cannot get path "/metrics"'],
  ] as [RequestAttributes, string][])("%j", (a, message) => {
    expect(forbiddenMessage(u, a)).toBe(message);
  });
});
