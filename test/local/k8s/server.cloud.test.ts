/**
 * The Kubernetes API stand-in (local/k8s) through real clients: kubectl v1.32 and @kubernetes/client-node 1.4.
 * Objects are checked as the server stored them (plain HTTP GET), not as a client's model maps them.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  ApiException,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  loadYaml,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from "@kubernetes/client-node";
import { loadAll } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeConfigFor, writeKubeconfig } from "../../../local/k8s/kubeconfig.js";
import { startKubeApi } from "../../../local/k8s/server.js";

const KUBECTL = "/usr/bin/kubectl";
const hasKubectl = existsSync(KUBECTL);
if (!hasKubectl) console.log(`k8s stand-in: kubectl cases not run because ${KUBECTL} is not installed`);

const execFileP = promisify(execFile);

// biome-ignore lint/suspicious/noExplicitAny: stored objects and Status bodies are read as untyped JSON
type Json = any;

let api: { url: string; stop(): Promise<void> };
let dir: string;
let stateDir: string;
let kubeconfig: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "embark-k8s-"));
  stateDir = join(dir, "k8s");
  api = await startKubeApi({ port: 0, stateDir });
  kubeconfig = join(dir, "kubeconfig");
  await writeKubeconfig(kubeconfig, api.url);
});

afterAll(async () => {
  await api?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What the server stored, read with a plain GET. */
async function stored(path: string): Promise<Json> {
  const res = await fetch(`${api.url}${path}`);
  return res.json();
}

/** The status code and parsed Status body of a failed client-node call (ApiException.body is a JSON string). */
async function failure(p: Promise<unknown>): Promise<{ code: number; status: Json }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiException) return { code: e.code, status: JSON.parse(e.body as string) };
    throw e;
  }
  throw new Error("expected the request to fail");
}

/** The objects a tenant gets, in wire format (as kubectl and the API write them). */
const tenantManifest = (ns: string): string => `
apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}
  labels:
    embark.io/tenant: ${ns}
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: tenant-quota
  namespace: ${ns}
spec:
  hard:
    requests.cpu: "2"
    requests.memory: 4Gi
    pods: "20"
---
apiVersion: v1
kind: LimitRange
metadata:
  name: tenant-limits
  namespace: ${ns}
spec:
  limits:
  - type: Container
    default:
      cpu: 500m
      memory: 512Mi
    defaultRequest:
      cpu: 100m
      memory: 128Mi
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-same-namespace
  namespace: ${ns}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector: {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-dns-egress
  namespace: ${ns}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: tenant-app
  namespace: ${ns}
automountServiceAccountToken: false
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: tenant-admin
  namespace: ${ns}
rules:
- apiGroups: ["", "apps"]
  resources: ["pods", "deployments", "services", "configmaps"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: tenant-admin
  namespace: ${ns}
subjects:
- kind: Group
  name: ${ns}-admins
  apiGroup: rbac.authorization.k8s.io
roleRef:
  kind: Role
  name: tenant-admin
  apiGroup: rbac.authorization.k8s.io
`;

const NAMESPACED_KINDS = "resourcequotas,limitranges,serviceaccounts,networkpolicies,roles,rolebindings";

describe.runIf(hasKubectl)("kubectl v1.32", () => {
  const ns = "tenant-kubectl";
  let manifest: string;

  const kubectl = async (...args: string[]): Promise<string> =>
    (await execFileP(KUBECTL, ["--kubeconfig", kubeconfig, ...args])).stdout;
  /** stderr of a kubectl run that must fail. */
  const kubectlFails = async (...args: string[]): Promise<string> => {
    try {
      await execFileP(KUBECTL, ["--kubeconfig", kubeconfig, ...args]);
    } catch (e) {
      return (e as { stderr: string }).stderr;
    }
    throw new Error(`kubectl ${args.join(" ")} succeeded`);
  };
  const resourceVersions = async (): Promise<Record<string, string>> => {
    const nsObj = JSON.parse(await kubectl("get", "namespace", ns, "-o", "json"));
    const list = JSON.parse(await kubectl("get", NAMESPACED_KINDS, "-n", ns, "-o", "json"));
    return Object.fromEntries(
      [nsObj, ...list.items].map((o: Json) => [`${o.kind}/${o.metadata.name}`, o.metadata.resourceVersion]),
    );
  };

  beforeAll(async () => {
    manifest = join(dir, "tenant.yaml");
    await writeFile(manifest, tenantManifest(ns));
  });

  it("get ns lists the system namespaces with their status", async () => {
    const lines = (await kubectl("get", "ns")).trim().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+AGE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      ["default", "Active"],
      ["kube-node-lease", "Active"],
      ["kube-public", "Active"],
      ["kube-system", "Active"],
    ]);
  });

  it("apply --server-side creates every object of the tenant manifest", async () => {
    const out = await kubectl("apply", "--server-side", "-f", manifest);
    expect(out.trim().split("\n")).toEqual([
      `namespace/${ns} serverside-applied`,
      "resourcequota/tenant-quota serverside-applied",
      "limitrange/tenant-limits serverside-applied",
      "networkpolicy.networking.k8s.io/allow-same-namespace serverside-applied",
      "networkpolicy.networking.k8s.io/allow-dns-egress serverside-applied",
      "serviceaccount/tenant-app serverside-applied",
      "role.rbac.authorization.k8s.io/tenant-admin serverside-applied",
      "rolebinding.rbac.authorization.k8s.io/tenant-admin serverside-applied",
    ]);
    const sa = await stored(`/api/v1/namespaces/${ns}/serviceaccounts/tenant-app`);
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(sa.metadata.managedFields).toEqual([
      expect.objectContaining({
        manager: "kubectl",
        operation: "Apply",
        fieldsV1: { "f:automountServiceAccountToken": {} },
      }),
    ]);
    const limits = await stored(`/api/v1/namespaces/${ns}/limitranges/tenant-limits`);
    expect(limits.spec.limits[0].default).toEqual({ cpu: "500m", memory: "512Mi" });
    const binding = await stored(
      `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings/tenant-admin`,
    );
    expect(binding.roleRef).toEqual({
      kind: "Role",
      name: "tenant-admin",
      apiGroup: "rbac.authorization.k8s.io",
    });
    const namespace = await stored(`/api/v1/namespaces/${ns}`);
    expect(namespace.metadata.labels).toEqual({ "embark.io/tenant": ns, "kubernetes.io/metadata.name": ns });
    expect(namespace.status).toEqual({ phase: "Active" });
  });

  it("applying the same manifest again changes no resourceVersion", async () => {
    const before = await resourceVersions();
    expect(Object.keys(before)).toHaveLength(8);
    await kubectl("apply", "--server-side", "-f", manifest);
    expect(await resourceVersions()).toEqual(before);
  });

  it("get networkpolicy -o json shows `from` and the DNS egress ports intact", async () => {
    const list = JSON.parse(await kubectl("get", "networkpolicy", "-n", ns, "-o", "json"));
    const byName = Object.fromEntries(list.items.map((p: Json) => [p.metadata.name, p.spec]));
    expect(byName["allow-same-namespace"]).toEqual({
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ podSelector: {} }] }],
    });
    expect(byName["allow-dns-egress"].egress).toEqual([
      {
        ports: [
          { port: 53, protocol: "UDP" },
          { port: 53, protocol: "TCP" },
        ],
      },
    ]);
  });

  it("another field manager conflicts on a field kubectl owns, and --force-conflicts takes it over", async () => {
    const changed = join(dir, "tenant-changed.yaml");
    await writeFile(changed, tenantManifest(ns).replace('pods: "20"', 'pods: "40"'));
    const stderr = await kubectlFails("apply", "--server-side", "--field-manager=ops", "-f", changed);
    expect(stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl": .spec.hard.pods');
    expect((await stored(`/api/v1/namespaces/${ns}/resourcequotas/tenant-quota`)).spec.hard.pods).toBe("20");

    await kubectl("apply", "--server-side", "--field-manager=ops", "--force-conflicts", "-f", changed);
    const quota = await stored(`/api/v1/namespaces/${ns}/resourcequotas/tenant-quota`);
    expect(quota.spec.hard.pods).toBe("40");
    const owners = Object.fromEntries(quota.metadata.managedFields.map((m: Json) => [m.manager, m.fieldsV1]));
    expect(owners.kubectl).toEqual({
      "f:spec": { "f:hard": { "f:requests.cpu": {}, "f:requests.memory": {} } },
    });
    expect(owners.ops["f:spec"]["f:hard"]).toHaveProperty("f:pods");
  });

  it("delete ns returns once the namespace and its objects are gone", async () => {
    expect((await kubectl("delete", "ns", ns)).trim()).toBe(`namespace "${ns}" deleted`);
    expect(await kubectlFails("get", "ns", ns)).toContain(`namespaces "${ns}" not found`);
    for (const plural of NAMESPACED_KINDS.split(",")) {
      const group = plural.startsWith("network")
        ? "/apis/networking.k8s.io/v1"
        : plural.startsWith("role")
          ? "/apis/rbac.authorization.k8s.io/v1"
          : "/api/v1";
      const all = await stored(`${group}/${plural}`);
      expect(all.items.filter((o: Json) => o.metadata.namespace === ns)).toEqual([]);
    }
  });
});

describe("@kubernetes/client-node 1.4", () => {
  const ns = "tenant-client";
  let kc: KubeConfig;
  let objects: KubernetesObjectApi;
  let core: CoreV1Api;
  let net: NetworkingV1Api;

  /**
   * The recommended way to server-side apply a wire-format object: loadYaml turns wire names into client-node's
   * model names (`from` → `_from`, `default` → `_default`), which its serializer turns back on the way out.
   */
  const apply = (wire: object, manager = "embark-onboarding", force = true): Promise<KubernetesObject> =>
    objects.patch(
      loadYaml<KubernetesObject>(JSON.stringify(wire)),
      undefined,
      undefined,
      manager,
      force,
      PatchStrategy.ServerSideApply,
    );

  const serviceAccount = (name: string, namespace: string, labels?: Record<string, string>) => ({
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name, namespace, ...(labels ? { labels } : {}) },
  });

  /** Watches one object by name; `deleted` resolves with the event types seen once it is DELETED. */
  async function watchUntilDeleted(path: string, name: string): Promise<{ deleted: Promise<string[]> }> {
    const events: string[] = [];
    let done: (events: string[]) => void = () => {};
    const deleted = new Promise<string[]>((resolve) => {
      done = resolve;
    });
    const controller = await new Watch(kc).watch(
      path,
      { fieldSelector: `metadata.name=${name}` },
      (type: string, obj: Json) => {
        events.push(`${type} ${obj.status?.phase ?? ""}`.trim());
        if (type === "DELETED") {
          controller.abort();
          done(events);
        }
      },
      () => {},
    );
    return { deleted };
  }

  beforeAll(() => {
    kc = kubeConfigFor(api.url);
    objects = KubernetesObjectApi.makeApiClient(kc);
    core = kc.makeApiClient(CoreV1Api);
    net = kc.makeApiClient(NetworkingV1Api);
  });

  /** A wire-format NetworkPolicy admitting only pods of its own namespace (`from` is what clients lose). */
  const sameNamespacePolicy = (name: string) => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace: ns },
    spec: { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] },
  });
  const policyPath = (name: string) => `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/${name}`;

  it("server-side applies wire-format objects without losing LimitRange `default` or NetworkPolicy `from`", async () => {
    for (const doc of loadAll(tenantManifest(ns)) as object[]) await apply(doc);
    const policy = await stored(policyPath("allow-same-namespace"));
    expect(policy.spec.ingress).toEqual([{ from: [{ podSelector: {} }] }]);
    const limits = await stored(`/api/v1/namespaces/${ns}/limitranges/tenant-limits`);
    expect(limits.spec.limits).toEqual([
      {
        type: "Container",
        default: { cpu: "500m", memory: "512Mi" },
        defaultRequest: { cpu: "100m", memory: "128Mi" },
      },
    ]);
    expect(limits.metadata.managedFields).toEqual([
      expect.objectContaining({
        manager: "embark-onboarding",
        operation: "Apply",
        fieldsV1: { "f:spec": { "f:limits": {} } },
      }),
    ]);
  });

  it("the typed API with the apply content type as a header option sends wire objects verbatim too", async () => {
    const wire = sameNamespacePolicy("typed-same-namespace");
    await net.patchNamespacedNetworkPolicy(
      {
        name: "typed-same-namespace",
        namespace: ns,
        body: wire,
        fieldManager: "embark-onboarding",
        force: true,
      },
      setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
    );
    const policy = await stored(policyPath("typed-same-namespace"));
    expect(policy.spec.ingress).toEqual([{ from: [{ podSelector: {} }] }]);
  });

  it("(the pitfall) a wire object passed straight to KubernetesObjectApi loses `from` and `default`", async () => {
    const policy = sameNamespacePolicy("naive-same-namespace");
    await objects.patch(policy, undefined, undefined, "naive", true, PatchStrategy.ServerSideApply);
    // An ingress rule without `from` admits every source: "same namespace only" became "allow all".
    expect((await stored(policyPath("naive-same-namespace"))).spec.ingress).toEqual([{}]);
    const limits = {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: { name: "naive-limits", namespace: ns },
      spec: { limits: [{ type: "Container", default: { cpu: "1" } }] },
    };
    await objects.patch(limits, undefined, undefined, "naive", true, PatchStrategy.ServerSideApply);
    expect((await stored(`/api/v1/namespaces/${ns}/limitranges/naive-limits`)).spec.limits).toEqual([
      { type: "Container" },
    ]);
  });

  it("re-applying the same objects by the same manager leaves resourceVersion unchanged", async () => {
    const path = `/api/v1/namespaces/${ns}/resourcequotas/tenant-quota`;
    const before = await stored(path);
    for (const doc of loadAll(tenantManifest(ns)) as object[]) await apply(doc);
    const after = await stored(path);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.metadata.managedFields).toEqual(before.metadata.managedFields);
  });

  it("a second field manager changing an owned field gets 409 Conflict; force=true takes the field over", async () => {
    const quota = (pods: string) => ({
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "tenant-quota", namespace: ns },
      spec: { hard: { pods } },
    });
    const { code, status } = await failure(apply(quota("50"), "billing", false));
    expect(code).toBe(409);
    expect(status).toMatchObject({
      kind: "Status",
      status: "Failure",
      reason: "Conflict",
      code: 409,
      message: 'Apply failed with 1 conflict: conflict with "embark-onboarding": .spec.hard.pods',
      details: {
        causes: [
          {
            reason: "FieldManagerConflict",
            message: 'conflict with "embark-onboarding"',
            field: ".spec.hard.pods",
          },
        ],
      },
    });
    // Same value: shared ownership, no conflict.
    await apply(quota("20"), "auditor", false);

    await apply(quota("50"), "billing", true);
    const stored_ = await stored(`/api/v1/namespaces/${ns}/resourcequotas/tenant-quota`);
    expect(stored_.spec.hard).toEqual({ "requests.cpu": "2", "requests.memory": "4Gi", pods: "50" });
    const owners = Object.fromEntries(
      stored_.metadata.managedFields.map((m: Json) => [m.manager, m.fieldsV1["f:spec"]["f:hard"]]),
    );
    expect(Object.keys(owners.billing)).toEqual(["f:pods"]);
    expect(Object.keys(owners["embark-onboarding"]).sort()).toEqual(["f:requests.cpu", "f:requests.memory"]);
    expect(owners.auditor).toBeUndefined();
  });

  it("create of an existing object is 409 AlreadyExists", async () => {
    const { code, status } = await failure(
      core.createNamespacedServiceAccount({ namespace: ns, body: serviceAccount("tenant-app", ns) }),
    );
    expect(code).toBe(409);
    expect(status).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'serviceaccounts "tenant-app" already exists',
      reason: "AlreadyExists",
      details: { name: "tenant-app", kind: "serviceaccounts" },
      code: 409,
    });
  });

  it("get of a missing object is 404 NotFound, also in a missing namespace", async () => {
    const missing = await failure(core.readNamespacedServiceAccount({ name: "nobody", namespace: ns }));
    expect(missing.code).toBe(404);
    expect(missing.status).toMatchObject({
      reason: "NotFound",
      message: 'serviceaccounts "nobody" not found',
    });
    const role = await failure(
      objects.read({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: "r", namespace: "no-such-ns" },
      }),
    );
    expect(role.status).toMatchObject({
      code: 404,
      message: 'roles.rbac.authorization.k8s.io "r" not found',
      details: { name: "r", group: "rbac.authorization.k8s.io", kind: "roles" },
    });
    const create = await failure(
      core.createNamespacedServiceAccount({
        namespace: "no-such-ns",
        body: serviceAccount("a", "no-such-ns"),
      }),
    );
    expect(create.status).toMatchObject({
      code: 404,
      reason: "NotFound",
      message: 'namespaces "no-such-ns" not found',
    });
  });

  it("update with a stale resourceVersion is 409 Conflict", async () => {
    const created = await core.createNamespacedServiceAccount({
      namespace: ns,
      body: serviceAccount("updater", ns),
    });
    const updated = await core.replaceNamespacedServiceAccount({
      name: "updater",
      namespace: ns,
      body: { ...created, automountServiceAccountToken: false },
    });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(
      Number(created.metadata?.resourceVersion),
    );
    const { code, status } = await failure(
      core.replaceNamespacedServiceAccount({
        name: "updater",
        namespace: ns,
        body: { ...created, automountServiceAccountToken: true },
      }),
    );
    expect(code).toBe(409);
    expect(status).toMatchObject({
      reason: "Conflict",
      message:
        'Operation cannot be fulfilled on serviceaccounts "updater": the object has been modified; please apply your changes to the latest version and try again',
    });
    expect(
      (await stored(`/api/v1/namespaces/${ns}/serviceaccounts/updater`)).automountServiceAccountToken,
    ).toBe(false);
  });

  it("merge patch and JSON patch change the stored object", async () => {
    await core.patchNamespacedServiceAccount(
      { name: "updater", namespace: ns, body: { metadata: { labels: { team: "payments" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    // The typed API's default patch type is JSON patch.
    await core.patchNamespacedServiceAccount({
      name: "updater",
      namespace: ns,
      body: [{ op: "replace", path: "/automountServiceAccountToken", value: true }],
    });
    const sa = await stored(`/api/v1/namespaces/${ns}/serviceaccounts/updater`);
    expect(sa.metadata.labels).toEqual({ team: "payments" });
    expect(sa.automountServiceAccountToken).toBe(true);
  });

  it("lists by label selector, in one namespace and across namespaces", async () => {
    await core.createNamespace({ body: { metadata: { name: "tenant-other" } } });
    const tiers: [string, string, Record<string, string> | undefined][] = [
      [ns, "web-1", { tier: "web" }],
      [ns, "api-1", { tier: "api" }],
      [ns, "db-1", { tier: "db" }],
      ["tenant-other", "web-2", { tier: "web" }],
    ];
    for (const [namespace, name, labels] of tiers)
      await core.createNamespacedServiceAccount({ namespace, body: serviceAccount(name, namespace, labels) });
    const names = async (labelSelector: string) =>
      (await core.listNamespacedServiceAccount({ namespace: ns, labelSelector })).items.map(
        (i) => i.metadata?.name,
      );
    expect(await names("tier=web")).toEqual(["web-1"]);
    expect(await names("tier in (web,api)")).toEqual(["api-1", "web-1"]);
    expect(await names("tier notin (web,api)")).toEqual(["db-1", "tenant-app", "updater"]);
    expect(await names("tier!=db,tier")).toEqual(["api-1", "web-1"]);
    expect(await names("!tier")).toEqual(["tenant-app", "updater"]);
    const everywhere = await core.listServiceAccountForAllNamespaces({ labelSelector: "tier==web" });
    expect(everywhere.items.map((i) => `${i.metadata?.namespace}/${i.metadata?.name}`)).toEqual([
      `${ns}/web-1`,
      "tenant-other/web-2",
    ]);
  });

  it("rejects bad names and a body whose kind does not match the URL with 422 Invalid", async () => {
    const bad = await failure(core.createNamespace({ body: { metadata: { name: "Tenant_Bad" } } }));
    expect(bad.code).toBe(422);
    expect(bad.status).toMatchObject({
      reason: "Invalid",
      details: {
        name: "Tenant_Bad",
        kind: "Namespace",
        causes: [{ reason: "FieldValueInvalid", field: "metadata.name" }],
      },
    });
    expect(bad.status.message).toMatch(
      /^Namespace "Tenant_Bad" is invalid: metadata.name: Invalid value: "Tenant_Bad": a lowercase RFC 1123 label/,
    );
    const unnamed = await failure(
      core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: {} } }),
    );
    expect(unnamed.status).toMatchObject({
      code: 422,
      details: { causes: [{ reason: "FieldValueRequired", field: "metadata.name" }] },
    });
    const res = await fetch(`${api.url}/api/v1/namespaces/${ns}/serviceaccounts`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" } }),
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ reason: "Invalid", details: { causes: [{ field: "kind" }] } });
  });

  it("a namespace held by a finalizer stays Terminating: its contents go, new objects are Forbidden", async () => {
    await core.createNamespace({
      body: { metadata: { name: "tenant-held", finalizers: ["embark.io/hold"] } },
    });
    await core.createNamespacedServiceAccount({
      namespace: "tenant-held",
      body: serviceAccount("app", "tenant-held"),
    });
    const appGone = await watchUntilDeleted("/api/v1/namespaces/tenant-held/serviceaccounts", "app");
    await core.deleteNamespace({ name: "tenant-held" });
    expect(await appGone.deleted).toEqual(["ADDED", "DELETED"]);
    const held = await core.readNamespace({ name: "tenant-held" });
    expect(held.status?.phase).toBe("Terminating");
    expect(held.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    const { code, status } = await failure(
      core.createNamespacedServiceAccount({
        namespace: "tenant-held",
        body: serviceAccount("late", "tenant-held"),
      }),
    );
    expect(code).toBe(403);
    expect(status).toMatchObject({
      reason: "Forbidden",
      message:
        'serviceaccounts "late" is forbidden: unable to create new content in namespace tenant-held because it is being terminated',
    });
    // Removing the last finalizer lets the deletion finish.
    await core.patchNamespace(
      { name: "tenant-held", body: { metadata: { finalizers: null } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect((await failure(core.readNamespace({ name: "tenant-held" }))).code).toBe(404);
  });

  it("deleting a namespace marks it Terminating, then removes it and everything in it (seen by a watch)", async () => {
    const nsGone = await watchUntilDeleted("/api/v1/namespaces", ns);
    // The reply is the Terminating namespace (client-node types it as a Status, hence the cast).
    const reply: Json = await objects.delete({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    expect(reply.status?.phase).toBe("Terminating");
    expect(await nsGone.deleted).toEqual(["ADDED Active", "MODIFIED Terminating", "DELETED Terminating"]);
    const everywhere = await core.listServiceAccountForAllNamespaces();
    expect(everywhere.items.filter((i) => i.metadata?.namespace === ns)).toEqual([]);
    const policies = await net.listNetworkPolicyForAllNamespaces();
    expect(policies.items.filter((i) => i.metadata?.namespace === ns)).toEqual([]);
    expect((await failure(core.readNamespace({ name: ns }))).code).toBe(404);
  });
});

describe("persistence", () => {
  it("objects survive a restart with the same state directory", async () => {
    const core = kubeConfigFor(api.url).makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: "tenant-persist" } } });
    const sa = await core.createNamespacedServiceAccount({
      namespace: "tenant-persist",
      body: { metadata: { name: "keeper", labels: { kept: "yes" } }, automountServiceAccountToken: false },
    });
    await api.stop();
    api = await startKubeApi({ port: 0, stateDir });
    const after = kubeConfigFor(api.url).makeApiClient(CoreV1Api);
    const read = await after.readNamespacedServiceAccount({ name: "keeper", namespace: "tenant-persist" });
    expect(read.metadata?.uid).toBe(sa.metadata?.uid);
    expect(read.metadata?.resourceVersion).toBe(sa.metadata?.resourceVersion);
    expect(read.metadata?.labels).toEqual({ kept: "yes" });
    expect(read.automountServiceAccountToken).toBe(false);
    // The resourceVersion counter carries on from where it was.
    const next = await after.createNamespacedServiceAccount({
      namespace: "tenant-persist",
      body: { metadata: { name: "second" } },
    });
    expect(Number(next.metadata?.resourceVersion)).toBeGreaterThan(Number(sa.metadata?.resourceVersion));
  });
});
