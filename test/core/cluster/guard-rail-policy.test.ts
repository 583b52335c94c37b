/**
 * The ValidatingAdmissionPolicies shipped for real clusters (deploy/kubernetes/guard-rails.yaml), checked
 * offline: the committed file is what core generates; the structure is what the API wants (kinds, bindings,
 * match constraints over the kinds and label tenantObjects() uses, the provisioner's group); and every CEL
 * expression parses and decides as intended for simulated admission requests (a CEL interpreter,
 * @marcbachmann/cel-js; the apiserver's own type checker is not available offline).
 */
import { readFileSync } from "node:fs";
import { parse } from "@marcbachmann/cel-js";
import { loadAll } from "js-yaml";
import { describe, expect, it } from "vitest";
import {
  EMBARK_LABEL_PREFIX,
  GUARD_RAIL_RESOURCES,
  guardRailPolicies,
  NAMESPACE_CONTROLLER,
} from "../../../core/cluster/guard-rail-policy.js";
import {
  MANAGED_BY_LABEL,
  PLAN_LABEL,
  PROVISIONER_GROUP,
  TENANT_GROUP,
  TENANT_ID_LABEL,
  tenantObjects,
} from "../../../core/cluster/tenant-objects.js";
import { DEFAULT_PLANS } from "../../../core/plans/catalog.js";
import { GUARD_RAILS_FILE, guardRailsYaml } from "../../../scripts/build-guard-rails.js";

// biome-ignore lint/suspicious/noExplicitAny: the policies are read as untyped YAML
type Json = any;
const docs = loadAll(readFileSync(GUARD_RAILS_FILE, "utf8")) as Json[];
const policy = (name: string) =>
  docs.find((d) => d.kind === "ValidatingAdmissionPolicy" && d.metadata.name === name);
const guardRails = policy("embark-guard-rails");
const labels = policy("embark-labels");

const PLURALS: Record<string, string> = {
  Namespace: "namespaces",
  ResourceQuota: "resourcequotas",
  LimitRange: "limitranges",
  ServiceAccount: "serviceaccounts",
  NetworkPolicy: "networkpolicies",
  Role: "roles",
  RoleBinding: "rolebindings",
};
const tenant = tenantObjects({
  tenantId: "0b9f2c1e-6d1a-4f7e-9a53-2f4c1d2b8e10",
  slug: "acme",
  plan: DEFAULT_PLANS[1]!,
});

/** The policy's verdict on a simulated request: its match conditions, then its validations (CEL). */
function admit(
  p: Json,
  vars: { request: Json; object: Json; oldObject: Json },
): { admitted: boolean; message?: string } {
  const ctx = { ...vars, params: null, namespaceObject: null, authorizer: null, variables: {} };
  if (!p.spec.matchConditions.every((c: Json) => parse(c.expression)(ctx) === true))
    return { admitted: true };
  for (const v of p.spec.validations) {
    if (parse(v.expression)(ctx) !== true)
      return { admitted: false, message: v.messageExpression ? parse(v.messageExpression)(ctx) : v.message };
  }
  return { admitted: true };
}

const tenantAdmin = { username: "alice@acme", groups: [TENANT_GROUP("acme"), "system:authenticated"] };
const provisioner = {
  username: "arn:aws:sts::1:assumed-role/setup-namespace/x",
  groups: [PROVISIONER_GROUP, "system:authenticated"],
};
const request = (operation: string, kind: string, userInfo: Json) => ({
  operation,
  kind: { group: "", version: "v1", kind },
  userInfo,
});
const quota = tenant.find((o) => o.kind === "ResourceQuota") as Json;

describe("deploy/kubernetes/guard-rails.yaml", () => {
  it("is what npm run build:guard-rails generates from core", () => {
    expect(readFileSync(GUARD_RAILS_FILE, "utf8")).toBe(guardRailsYaml());
    expect(docs).toEqual(guardRailPolicies());
  });

  it("has two policies, each bound with Deny", () => {
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      "ValidatingAdmissionPolicy/embark-guard-rails",
      "ValidatingAdmissionPolicyBinding/embark-guard-rails",
      "ValidatingAdmissionPolicy/embark-labels",
      "ValidatingAdmissionPolicyBinding/embark-labels",
    ]);
    for (const d of docs) expect(d.apiVersion).toBe("admissionregistration.k8s.io/v1");
    for (const b of docs.filter((d) => d.kind === "ValidatingAdmissionPolicyBinding")) {
      expect(policy(b.spec.policyName)).toBeDefined();
      expect(b.spec.validationActions).toEqual(["Deny"]);
      expect(b.spec.paramRef).toBeUndefined();
    }
    for (const p of [guardRails, labels]) {
      expect(p.spec.failurePolicy).toBe("Fail");
      for (const v of p.spec.validations) expect(v.reason).toBe("Forbidden");
    }
  });

  it("embark-guard-rails matches UPDATE and DELETE of exactly the kinds of a tenant's objects, by Embark's label", () => {
    const kinds = [...new Set(tenant.map((o) => o.kind))];
    const matched = guardRails.spec.matchConstraints.resourceRules.flatMap((r: Json) => r.resources);
    expect([...matched].sort()).toEqual(kinds.map((k) => PLURALS[k]).sort());
    expect(GUARD_RAIL_RESOURCES.flatMap((r) => r.resources).sort()).toEqual([...matched].sort());
    for (const r of guardRails.spec.matchConstraints.resourceRules)
      expect(r.operations).toEqual(["UPDATE", "DELETE"]);
    expect(guardRails.spec.matchConstraints.objectSelector).toEqual({
      matchLabels: { [MANAGED_BY_LABEL]: "embark" },
    });
    // Every object Embark makes carries that label, so the selector sees them all.
    for (const o of tenant) expect(o.metadata.labels[MANAGED_BY_LABEL]).toBe("embark");
  });

  it("embark-labels matches CREATE and UPDATE of every namespaced object in tenant namespaces and of Namespaces", () => {
    const m = labels.spec.matchConstraints;
    expect(m.namespaceSelector).toEqual({ matchLabels: { [MANAGED_BY_LABEL]: "embark" } });
    expect(m.resourceRules).toEqual([
      expect.objectContaining({
        apiGroups: ["*"],
        resources: ["*"],
        scope: "Namespaced",
        operations: ["CREATE", "UPDATE"],
      }),
      expect.objectContaining({
        apiGroups: [""],
        resources: ["namespaces"],
        operations: ["CREATE", "UPDATE"],
      }),
    ]);
    // The tenant's Namespace carries the label the namespaceSelector looks for.
    expect(tenant[0]?.metadata.labels[MANAGED_BY_LABEL]).toBe("embark");
    expect(EMBARK_LABEL_PREFIX).toBe("embark.io/");
    expect([TENANT_ID_LABEL, PLAN_LABEL].every((l) => l.startsWith(EMBARK_LABEL_PREFIX))).toBe(true);
  });

  it("both exempt the provisioner's group, by name", () => {
    for (const p of [guardRails, labels])
      expect(p.spec.matchConditions[0]).toEqual({
        name: "not-the-provisioner",
        expression: `!('${PROVISIONER_GROUP}' in request.userInfo.groups)`,
      });
  });

  it("every expression parses as CEL", () => {
    for (const p of [guardRails, labels]) {
      for (const c of p.spec.matchConditions) expect(() => parse(c.expression), c.expression).not.toThrow();
      for (const v of p.spec.validations) {
        expect(() => parse(v.expression)).not.toThrow();
        if (v.messageExpression) expect(() => parse(v.messageExpression)).not.toThrow();
      }
    }
  });
});

describe("embark-guard-rails decides", () => {
  it.each([
    ["UPDATE", "a tenant admin changing its quota", tenantAdmin, false],
    ["DELETE", "a tenant admin deleting its quota", tenantAdmin, false],
    ["UPDATE", "the provisioner changing it (a plan change)", provisioner, true],
    ["DELETE", "the provisioner deleting it (offboarding)", provisioner, true],
    [
      "DELETE",
      "the namespace controller emptying a deleted namespace",
      { username: NAMESPACE_CONTROLLER, groups: ["system:serviceaccounts"] },
      true,
    ],
    [
      "UPDATE",
      "the namespace controller changing it",
      { username: NAMESPACE_CONTROLLER, groups: ["system:serviceaccounts"] },
      false,
    ],
    ["DELETE", "a cluster admin", { username: "admin", groups: ["system:masters"] }, false],
  ])("%s by %s: admitted %s", (operation, _who, userInfo, admitted) => {
    const object = operation === "DELETE" ? null : { ...quota, spec: { hard: { pods: "1000" } } };
    const verdict = admit(guardRails, {
      request: request(operation, "ResourceQuota", userInfo),
      object,
      oldObject: quota,
    });
    expect(verdict.admitted).toBe(admitted);
    if (!admitted)
      expect(verdict.message).toBe(
        `ResourceQuota tenant-quota is a guard rail Embark manages: only the ${PROVISIONER_GROUP} group may ${operation === "DELETE" ? "delete" : "change"} it`,
      );
  });

  it("a tenant stripping Embark's label from a guard rail is refused (the old object is Embark's)", () => {
    const stripped = { ...quota, metadata: { ...quota.metadata, labels: {} } };
    expect(
      admit(guardRails, {
        request: request("UPDATE", "ResourceQuota", tenantAdmin),
        object: stripped,
        oldObject: quota,
      }).admitted,
    ).toBe(false);
  });
});

describe("embark-labels decides", () => {
  const deployment = (labelSet?: Record<string, string>) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "tenant-acme", ...(labelSet ? { labels: labelSet } : {}) },
  });
  it.each([
    ["CREATE", "without labels", undefined, undefined, tenantAdmin, true],
    ["CREATE", "with its own labels", { app: "web" }, undefined, tenantAdmin, true],
    [
      "CREATE",
      `with ${MANAGED_BY_LABEL}=embark`,
      { [MANAGED_BY_LABEL]: "embark" },
      undefined,
      tenantAdmin,
      false,
    ],
    ["CREATE", `with ${MANAGED_BY_LABEL}=helm`, { [MANAGED_BY_LABEL]: "helm" }, undefined, tenantAdmin, true],
    [
      "CREATE",
      `with ${TENANT_ID_LABEL}`,
      { [TENANT_ID_LABEL]: "someone-else" },
      undefined,
      tenantAdmin,
      false,
    ],
    [
      "UPDATE",
      "adding embark.io/plan",
      { app: "web", [PLAN_LABEL]: "enterprise" },
      { app: "web" },
      tenantAdmin,
      false,
    ],
    [
      "UPDATE",
      "changing embark.io/tenant-id",
      { [TENANT_ID_LABEL]: "b" },
      { [TENANT_ID_LABEL]: "a" },
      tenantAdmin,
      false,
    ],
    [
      "UPDATE",
      "keeping Embark's labels as they were",
      { [TENANT_ID_LABEL]: "a", app: "v2" },
      { [TENANT_ID_LABEL]: "a", app: "v1" },
      tenantAdmin,
      true,
    ],
    [
      "CREATE",
      "by the provisioner",
      { [MANAGED_BY_LABEL]: "embark", [TENANT_ID_LABEL]: "a" },
      undefined,
      provisioner,
      true,
    ],
  ])("%s %s: admitted %s", (operation, _what, next, prev, userInfo, admitted) => {
    const verdict = admit(labels, {
      request: request(operation as string, "Deployment", userInfo),
      object: deployment(next as Record<string, string> | undefined),
      oldObject: prev ? deployment(prev as Record<string, string>) : null,
    });
    expect(verdict).toEqual(
      admitted
        ? { admitted: true }
        : {
            admitted: false,
            message: `Only Embark may set the ${MANAGED_BY_LABEL}=embark and embark.io/* labels`,
          },
    );
  });
});
