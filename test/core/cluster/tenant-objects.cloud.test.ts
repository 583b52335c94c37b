/**
 * The guard rails of a tenant's namespace, proven against the Kubernetes stand-in's RBAC through kubectl
 * (`--as`/`--as-group`, `auth can-i`) and @kubernetes/client-node, with the objects the provisioner applies
 * (tenantObjects() through KubernetesClusterProvisioner, as the Set up namespace step does). A tenant admin
 * (group embark:tenant:<slug>:admins, the group the EKS access entry maps its principal to) manages workloads in
 * its namespace, and can neither change its quota, limits, network policies or RBAC nor touch another tenant.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ApiException, CoreV1Api, NetworkingV1Api, setHeaderOptions } from "@kubernetes/client-node";
import { dump } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubernetesClusterProvisioner } from "../../../core/adapters/cluster.js";
import { TENANT_GROUP, tenantObjects } from "../../../core/cluster/tenant-objects.js";
import { DEFAULT_PLANS } from "../../../core/plans/catalog.js";
import { kubeConfigFor, writeKubeconfig } from "../../../local/k8s/kubeconfig.js";
import { startKubeApi } from "../../../local/k8s/server.js";

const KUBECTL = "/usr/bin/kubectl";
const run = promisify(execFile);
const plan = DEFAULT_PLANS[1]!;
const ACME = { slug: "acme", tenantId: "0b9f2c1e-6d1a-4f7e-9a53-2f4c1d2b8e10" };
const OTHER = { slug: "other", tenantId: "1c8e3d2f-7e2b-4a8f-8b64-3e5d2c3a9f21" };
const NS = "tenant-acme";
const OTHER_NS = "tenant-other";
const ADMIN = ["--as", "alice@acme", "--as-group", TENANT_GROUP(ACME.slug)];

let api: { url: string; stop(): Promise<void> };
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  if (!existsSync(KUBECTL)) throw new Error(`${KUBECTL} is needed for the guard-rail proofs`);
  dir = await mkdtemp(join(tmpdir(), "embark-guards-"));
  api = await startKubeApi({ port: 0 });
  kubeconfig = join(dir, "kubeconfig");
  await writeKubeconfig(kubeconfig, api.url);
  const provisioner = new KubernetesClusterProvisioner(kubeConfigFor(api.url));
  for (const t of [ACME, OTHER]) await provisioner.apply(tenantObjects({ ...t, plan }));
});

afterAll(async () => {
  await api?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** kubectl against the stand-in; never throws: exit code, stdout and stderr. */
async function kubectl(args: string[], input?: string): Promise<{ code: number; out: string; err: string }> {
  let file: string | undefined;
  if (input !== undefined) {
    file = join(dir, `in-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, input);
  }
  const argv = ["--kubeconfig", kubeconfig, ...args.map((a) => (a === "@input" ? (file as string) : a))];
  try {
    const { stdout, stderr } = await run(KUBECTL, argv);
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, out: err.stdout ?? "", err: err.stderr ?? "" };
  }
}

const canI = async (verb: string, resource: string, ns = NS, who = ADMIN) =>
  (await kubectl(["auth", "can-i", verb, resource, "-n", ns, ...who])).out.trim();

/** What an object the tenant admin might write looks like (a change to an existing one, or a new one). */
const objects = (ns: string) => ({
  deployment: {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: ns },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "web", image: "nginx" }] },
      },
    },
  },
  pod: {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "job-1", namespace: ns },
    spec: { containers: [{ name: "c", image: "busybox" }] },
  },
  configmap: {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "settings", namespace: ns },
    data: { a: "1" },
  },
  service: {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web", namespace: ns },
    spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
  },
});

/** Embark's guard rails in a namespace: kind, resource, name, and a tenant's change to it. */
const GUARD_RAILS = [
  ["ResourceQuota", "resourcequotas", "tenant-quota", { spec: { hard: { pods: "1000" } } }],
  ["LimitRange", "limitranges", "tenant-limits", { spec: { limits: [] } }],
  [
    "NetworkPolicy",
    "networkpolicies.networking.k8s.io",
    "default-deny-all",
    { spec: { podSelector: {}, policyTypes: [] } },
  ],
  [
    "NetworkPolicy",
    "networkpolicies.networking.k8s.io",
    "allow-same-namespace",
    { spec: { podSelector: {}, ingress: [{}] } },
  ],
  [
    "NetworkPolicy",
    "networkpolicies.networking.k8s.io",
    "allow-dns-egress",
    { spec: { podSelector: {}, egress: [{}] } },
  ],
  [
    "Role",
    "roles.rbac.authorization.k8s.io",
    "tenant-admin",
    { rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] },
  ],
  [
    "RoleBinding",
    "rolebindings.rbac.authorization.k8s.io",
    "tenant-admin",
    { subjects: [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "system:authenticated" }] },
  ],
  ["ServiceAccount", "serviceaccounts", "tenant-workloads", { automountServiceAccountToken: true }],
] as const;

const apiVersionOf = (kind: string) =>
  kind === "NetworkPolicy"
    ? "networking.k8s.io/v1"
    : kind === "Role" || kind === "RoleBinding"
      ? "rbac.authorization.k8s.io/v1"
      : "v1";

describe("a tenant admin manages workloads in its namespace", () => {
  it.each(["deployment", "pod", "configmap", "service"] as const)(
    "%s: create, update, get, delete (kubectl)",
    async (which) => {
      const obj = objects(NS)[which];
      const created = await kubectl(["create", "-f", "@input", ...ADMIN], dump(obj));
      expect(created, created.err).toMatchObject({ code: 0 });
      const changed = { ...obj, metadata: { ...obj.metadata, labels: { changed: "yes" } } };
      const updated = await kubectl(
        ["apply", "--server-side", "--field-manager", "tenant", "-f", "@input", ...ADMIN],
        dump(changed),
      );
      expect(updated, updated.err).toMatchObject({ code: 0 });
      const got = await kubectl([
        "get",
        obj.kind.toLowerCase(),
        obj.metadata.name,
        "-n",
        NS,
        "-o",
        "json",
        ...ADMIN,
      ]);
      expect(JSON.parse(got.out).metadata.labels).toEqual({ changed: "yes" });
      const deleted = await kubectl([
        "delete",
        obj.kind.toLowerCase(),
        obj.metadata.name,
        "-n",
        NS,
        ...ADMIN,
      ]);
      expect(deleted, deleted.err).toMatchObject({ code: 0 });
    },
  );

  it("kubectl auth can-i says yes to managing workloads, Secrets and logs", async () => {
    const asked = [
      ["create", "deployments.apps"],
      ["update", "deployments.apps"],
      ["delete", "deployments.apps"],
      ["create", "pods"],
      ["delete", "pods"],
      ["get", "pods/log"],
      ["create", "configmaps"],
      ["patch", "configmaps"],
      ["create", "services"],
      ["delete", "services"],
      ["create", "secrets"],
      ["create", "jobs.batch"],
      ["create", "ingresses.networking.k8s.io"],
      ["list", "events"],
    ];
    const answers = await Promise.all(asked.map(([v, r]) => canI(v as string, r as string)));
    expect(Object.fromEntries(asked.map(([v, r], i) => [`${v} ${r}`, answers[i]]))).toEqual(
      Object.fromEntries(asked.map(([v, r]) => [`${v} ${r}`, "yes"])),
    );
  });
});

describe("a tenant admin cannot change its guard rails", () => {
  it("kubectl auth can-i says no to every write of quota, limits, network policies, RBAC and service accounts", async () => {
    const asked = GUARD_RAILS.flatMap(([, resource]) =>
      ["create", "update", "patch", "delete", "deletecollection"].map((verb) => `${verb} ${resource}`),
    );
    const answers = await Promise.all(
      asked.map((q) => canI(q.split(" ")[0] as string, q.split(" ")[1] as string)),
    );
    expect(Object.fromEntries(asked.map((q, i) => [q, answers[i]]))).toEqual(
      Object.fromEntries(asked.map((q) => [q, "no"])),
    );
  });

  it.each(GUARD_RAILS)(
    "%s %s/%s: delete, update and create are Forbidden, and it stays as Embark made it",
    async (kind, resource, name, change) => {
      const plural = resource.split(".")[0] as string;
      const group = resource.includes(".") ? resource.slice(plural.length + 1) : "";
      const before = await kubectl(["get", resource, name, "-n", NS, "-o", "json"]);
      const stored = JSON.parse(before.out);

      const del = await kubectl(["delete", resource, name, "-n", NS, ...ADMIN]);
      expect(del.code).not.toBe(0);
      expect(del.err.trim()).toBe(
        `Error from server (Forbidden): ${resource} "${name}" is forbidden: User "alice@acme" cannot delete resource "${plural}" in API group "${group}" in the namespace "${NS}"`,
      );

      const edited = { apiVersion: apiVersionOf(kind), kind, metadata: { name, namespace: NS }, ...change };
      const upd = await kubectl(
        [
          "apply",
          "--server-side",
          "--force-conflicts",
          "--field-manager",
          "tenant",
          "-f",
          "@input",
          ...ADMIN,
        ],
        dump(edited),
      );
      expect(upd.err).toContain(
        `cannot patch resource "${plural}" in API group "${group}" in the namespace "${NS}"`,
      );
      const put = await kubectl(["replace", "-f", "@input", ...ADMIN], dump({ ...stored, ...change }));
      expect(put.err).toContain(
        `cannot update resource "${plural}" in API group "${group}" in the namespace "${NS}"`,
      );

      const another = { ...edited, metadata: { name: `${name}-mine`, namespace: NS } };
      const created = await kubectl(["create", "-f", "@input", ...ADMIN], dump(another));
      expect(created.err).toContain(
        `${resource} is forbidden: User "alice@acme" cannot create resource "${plural}" in API group "${group}" in the namespace "${NS}"`,
      );

      const after = await kubectl(["get", resource, name, "-n", NS, "-o", "json"]);
      expect(JSON.parse(after.out)).toEqual(stored);
    },
  );

  it("cannot delete or relabel its Namespace, nor make or list namespaces", async () => {
    expect((await kubectl(["delete", "namespace", NS, ...ADMIN])).err).toContain(
      `namespaces "${NS}" is forbidden: User "alice@acme" cannot delete resource "namespaces" in API group "" in the namespace "${NS}"`,
    );
    const relabel = await kubectl([
      "label",
      "namespace",
      NS,
      "pod-security.kubernetes.io/enforce=privileged",
      "--overwrite",
      ...ADMIN,
    ]);
    expect(relabel.code).not.toBe(0);
    expect(relabel.err).toMatch(
      /namespaces "tenant-acme" is forbidden: User "alice@acme" cannot (get|patch) resource "namespaces"/,
    );
    const ns = JSON.parse((await kubectl(["get", "namespace", NS, "-o", "json"])).out);
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    expect((await kubectl(["get", "namespaces", ...ADMIN])).err).toContain(
      'User "alice@acme" cannot list resource "namespaces" in API group "" at the cluster scope',
    );
    expect(await canI("create", "clusterrolebindings.rbac.authorization.k8s.io")).toBe("no");
  });
});

describe("a tenant admin cannot touch another tenant", () => {
  it("kubectl auth can-i says no to anything in another tenant's namespace", async () => {
    const asked = [
      "get pods",
      "list pods",
      "create deployments.apps",
      "delete configmaps",
      "get secrets",
      "delete resourcequotas",
    ];
    const answers = await Promise.all(
      asked.map((q) => canI(q.split(" ")[0] as string, q.split(" ")[1] as string, OTHER_NS)),
    );
    expect(answers).toEqual(asked.map(() => "no"));
  });

  it("kubectl: creating, reading and deleting there is Forbidden", async () => {
    const create = await kubectl(["create", "-f", "@input", ...ADMIN], dump(objects(OTHER_NS).configmap));
    expect(create.err).toContain(
      `configmaps is forbidden: User "alice@acme" cannot create resource "configmaps" in API group "" in the namespace "${OTHER_NS}"`,
    );
    expect((await kubectl(["get", "pods", "-n", OTHER_NS, ...ADMIN])).err).toContain(
      `pods is forbidden: User "alice@acme" cannot list resource "pods" in API group "" in the namespace "${OTHER_NS}"`,
    );
    expect((await kubectl(["delete", "quota", "tenant-quota", "-n", OTHER_NS, ...ADMIN])).code).not.toBe(0);
    expect((await kubectl(["get", "quota", "tenant-quota", "-n", OTHER_NS])).code).toBe(0);
  });

  it("the other tenant's own admin may (the same Role, its own binding)", async () => {
    const other = ["--as", "bob@other", "--as-group", TENANT_GROUP(OTHER.slug)];
    expect(await canI("create", "deployments.apps", OTHER_NS, other)).toBe("yes");
    expect(await canI("create", "deployments.apps", NS, other)).toBe("no");
  });
});

describe("the same guard rails through client-node", () => {
  /** Typed clients acting as a user: Impersonate-User from the kubeconfig, Impersonate-Group per call. */
  const as = (user: string) => {
    const kc = kubeConfigFor(api.url);
    kc.users[0] = { ...kc.users[0]!, impersonateUser: user } as (typeof kc.users)[0];
    return { core: kc.makeApiClient(CoreV1Api), net: kc.makeApiClient(NetworkingV1Api) };
  };
  const group = () => setHeaderOptions("Impersonate-Group", TENANT_GROUP(ACME.slug));
  const configMap = (name: string) => ({ metadata: { name }, data: { a: "1" } });

  async function status(p: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
    try {
      await p;
    } catch (e) {
      if (e instanceof ApiException) return { code: e.code, body: JSON.parse(e.body as string) };
      throw e;
    }
    throw new Error("expected a refusal");
  }

  it("creates and deletes a ConfigMap in its namespace", async () => {
    const { core } = as("alice@acme");
    await core.createNamespacedConfigMap({ namespace: NS, body: configMap("from-client") }, group());
    await core.deleteNamespacedConfigMap({ namespace: NS, name: "from-client" }, group());
  });

  it("deleting a NetworkPolicy is 403 with the apiserver's Status, and it is still there", async () => {
    const { net } = as("alice@acme");
    const refused = await status(
      net.deleteNamespacedNetworkPolicy({ namespace: NS, name: "default-deny-all" }, group()),
    );
    expect(refused).toEqual({
      code: 403,
      body: {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: `networkpolicies.networking.k8s.io "default-deny-all" is forbidden: User "alice@acme" cannot delete resource "networkpolicies" in API group "networking.k8s.io" in the namespace "${NS}"`,
        reason: "Forbidden",
        details: { name: "default-deny-all", group: "networking.k8s.io", kind: "networkpolicies" },
        code: 403,
      },
    });
    const admin = kubeConfigFor(api.url).makeApiClient(NetworkingV1Api);
    const still = await admin.readNamespacedNetworkPolicy({ namespace: NS, name: "default-deny-all" });
    expect(still.metadata?.name).toBe("default-deny-all");
  });

  it("replacing its ResourceQuota is 403", async () => {
    const { core } = as("alice@acme");
    const body = { metadata: { name: "tenant-quota" }, spec: { hard: { pods: "1000" } } };
    const refused = await status(
      core.replaceNamespacedResourceQuota({ namespace: NS, name: "tenant-quota", body }, group()),
    );
    expect(refused.code).toBe(403);
    expect(refused.body.message).toBe(
      `resourcequotas "tenant-quota" is forbidden: User "alice@acme" cannot update resource "resourcequotas" in API group "" in the namespace "${NS}"`,
    );
  });

  it("without the group, the same user can do nothing in the namespace", async () => {
    const { core } = as("alice@acme");
    const refused = await status(
      core.createNamespacedConfigMap({ namespace: NS, body: configMap("no-group") }),
    );
    expect(refused.code).toBe(403);
  });
});
