import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CoreV1Api,
  type KubeConfig,
  KubernetesObjectApi,
  NetworkingV1Api,
  RbacAuthorizationV1Api,
} from "@kubernetes/client-node";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { clusterFromEnvironment, KubernetesClusterProvisioner } from "../../../core/adapters/cluster.js";
import { type KubeObject, TENANT_GROUP, tenantObjects } from "../../../core/cluster/tenant-objects.js";
import { DEFAULT_PLANS } from "../../../core/plans/defaults.js";
import { namespaceForSlug } from "../../../core/tenant/slug.js";
import { kubeConfigFor, kubeconfigYaml } from "../../../local/k8s/kubeconfig.js";
import { cloud } from "../../support/cloud.js";

// The Kubernetes stand-in of the local cloud (started once by the vitest global setup).
let kubeUrl: string;
let kubeconfigPath: string;

beforeAll(() => {
  kubeUrl = cloud().kubernetes;
  kubeconfigPath = cloud().kubeconfig;
});

const plan = DEFAULT_PLANS.find((p) => p.id === "standard")!;

// Namespaces of tenants that do not exist, removed after each test: journeys on the shared cloud (e.g.
// test/e2e/hostile-input.fuzz.test.ts) check that no namespace lacks its tenant.
const made: string[] = [];
afterEach(async () => {
  const cluster = await clusterFromEnvironment({ KUBECONFIG: kubeconfigPath });
  for (const namespace of made.splice(0)) await cluster.deleteNamespace(namespace);
});

function fixture(): { tenantId: string; slug: string; namespace: string; objects: KubeObject[] } {
  const tenantId = randomUUID();
  const slug = `acme-${tenantId.slice(0, 8)}`;
  made.push(namespaceForSlug(slug));
  return {
    tenantId,
    slug,
    namespace: namespaceForSlug(slug),
    objects: tenantObjects({ tenantId, slug, plan }),
  };
}

/** Reads every object back through client-node's generic API: name → resourceVersion. */
async function resourceVersions(kc: KubeConfig, objects: KubeObject[]): Promise<Record<string, string>> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const out: Record<string, string> = {};
  for (const o of objects) {
    const read = await api.read({
      apiVersion: o.apiVersion,
      kind: o.kind,
      metadata: { name: o.metadata.name, namespace: o.metadata.namespace },
    });
    out[`${o.kind}/${o.metadata.name}`] = read.metadata!.resourceVersion!;
  }
  return out;
}

describe("KubernetesClusterProvisioner", () => {
  it("server-side applies the tenant's objects without losing wire-named fields, and re-applying changes nothing", async () => {
    const cluster = await clusterFromEnvironment({ KUBECONFIG: kubeconfigPath });
    const kc = kubeConfigFor(kubeUrl);
    const { namespace, slug, objects } = fixture();

    await cluster.apply(objects);
    expect(await cluster.namespaceExists(namespace)).toBe(true);
    const before = await resourceVersions(kc, objects);
    expect(Object.keys(before)).toHaveLength(objects.length);

    await cluster.apply(objects);
    expect(await resourceVersions(kc, objects)).toEqual(before);

    // Read back through client-node's typed APIs (its model names carry a leading underscore).
    const netpol = await kc
      .makeApiClient(NetworkingV1Api)
      .readNamespacedNetworkPolicy({ name: "allow-same-namespace", namespace });
    expect(netpol.spec?.ingress?.[0]?._from).toEqual([{ podSelector: {} }]);
    expect(netpol.spec?.egress?.[0]?.to).toEqual([{ podSelector: {} }]);
    const dns = await kc
      .makeApiClient(NetworkingV1Api)
      .readNamespacedNetworkPolicy({ name: "allow-dns-egress", namespace });
    expect(dns.spec?.egress?.[0]?.to?.[0]?.namespaceSelector?.matchLabels).toEqual({
      "kubernetes.io/metadata.name": "kube-system",
    });
    expect(dns.spec?.egress?.[0]?.ports).toHaveLength(2);

    const core = kc.makeApiClient(CoreV1Api);
    const limits = await core.readNamespacedLimitRange({ name: "tenant-limits", namespace });
    expect(limits.spec?.limits[0]?._default).toEqual(plan.limits.default);
    expect(limits.spec?.limits[0]?.defaultRequest).toEqual(plan.limits.defaultRequest);
    expect(limits.spec?.limits[0]?.max).toEqual(plan.limits.max);
    const quota = await core.readNamespacedResourceQuota({ name: "tenant-quota", namespace });
    expect(quota.spec?.hard).toEqual(plan.quota);

    const binding = await kc
      .makeApiClient(RbacAuthorizationV1Api)
      .readNamespacedRoleBinding({ name: "tenant-admin", namespace });
    expect(binding.subjects?.[0]?.name).toBe(TENANT_GROUP(slug));

    // And on the wire, exactly as written: the stored spec equals what tenantObjects built.
    const raw = await fetch(
      `${kubeUrl}/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies/allow-same-namespace`,
    ).then(
      (r) => r.json() as Promise<{ spec: unknown; metadata: { managedFields?: { manager: string }[] } }>,
    );
    const sent = objects.find(
      (o) => o.kind === "NetworkPolicy" && o.metadata.name === "allow-same-namespace",
    )!;
    expect(raw.spec).toEqual(sent.spec);
    // Applied by our field manager.
    expect(raw.metadata.managedFields?.map((m) => m.manager)).toContain("embark");
  });

  it("applies changes (a suspended quota) and takes its fields back from a manual edit (force)", async () => {
    const cluster = await clusterFromEnvironment({ KUBECONFIG: kubeconfigPath });
    const kc = kubeConfigFor(kubeUrl);
    const { namespace, tenantId, slug, objects } = fixture();
    await cluster.apply(objects);
    const core = kc.makeApiClient(CoreV1Api);
    const hard = async () =>
      (await core.readNamespacedResourceQuota({ name: "tenant-quota", namespace })).spec?.hard;

    await cluster.apply(tenantObjects({ tenantId, slug, plan, suspended: true }));
    expect((await hard())?.pods).toBe("0");

    // An operator raises the quota by hand with their own field manager; without force the server refuses
    // because "embark" owns the field, with force it takes it over.
    const quotaUrl = `${kubeUrl}/api/v1/namespaces/${namespace}/resourcequotas/tenant-quota`;
    const edit = (force: boolean) =>
      fetch(`${quotaUrl}?fieldManager=operator${force ? "&force=true" : ""}`, {
        method: "PATCH",
        headers: { "content-type": "application/apply-patch+yaml" },
        body: JSON.stringify({
          apiVersion: "v1",
          kind: "ResourceQuota",
          metadata: { name: "tenant-quota", namespace },
          spec: { hard: { pods: "99" } },
        }),
      });
    expect((await edit(false)).status).toBe(409);
    expect((await edit(true)).status).toBe(200);
    expect((await hard())?.pods).toBe("99");

    await cluster.apply(objects);
    expect(await hard()).toEqual(plan.quota);
  });

  it("deleteNamespace waits until the namespace and everything in it are gone", async () => {
    const cluster = await clusterFromEnvironment({ KUBECONFIG: kubeconfigPath });
    const kc = kubeConfigFor(kubeUrl);
    const { namespace, objects } = fixture();
    await cluster.apply(objects);

    await cluster.deleteNamespace(namespace);
    expect(await cluster.namespaceExists(namespace)).toBe(false);
    const policies = await kc.makeApiClient(NetworkingV1Api).listNamespacedNetworkPolicy({ namespace });
    expect(policies.items).toEqual([]);
    // Deleting a namespace that is already gone is fine.
    await cluster.deleteNamespace(namespace);
  });

  it("namespaceExists is false for a namespace that never existed", async () => {
    const cluster = new KubernetesClusterProvisioner(kubeConfigFor(kubeUrl));
    expect(await cluster.namespaceExists(`tenant-never-${randomUUID().slice(0, 8)}`)).toBe(false);
  });

  it("grantNamespaceAccess is a no-op off EKS", async () => {
    const cluster = await clusterFromEnvironment({ KUBECONFIG: kubeconfigPath });
    await expect(
      cluster.grantNamespaceAccess({ slug: "acme", namespace: "tenant-acme" }),
    ).resolves.toBeUndefined();
  });

  it("reports an object the server rejects with the server's reason", async () => {
    const cluster = await clusterFromEnvironment({ KUBECONFIG: kubeconfigPath });
    await expect(
      cluster.apply([
        { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "x", namespace: "default" } },
      ]),
    ).rejects.toThrow(/does not serve DaemonSet/);
  });
});

describe("clusterFromEnvironment", () => {
  it("refuses to guess when neither KUBECONFIG nor EKS_CLUSTER_NAME is set", async () => {
    await expect(clusterFromEnvironment({})).rejects.toThrow(/KUBECONFIG/);
  });

  it("marks plain-HTTP servers skipTLSVerify (client-node refuses them otherwise)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "embark-kc-"));
    const path = join(dir, "config");
    await writeFile(path, kubeconfigYaml(kubeUrl).replace("    insecure-skip-tls-verify: true\n", ""));
    try {
      const cluster = await clusterFromEnvironment({ KUBECONFIG: path });
      expect(cluster.kubeConfig.getCurrentCluster()?.skipTLSVerify).toBe(true);
      expect(await cluster.namespaceExists("default")).toBeTypeOf("boolean");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("KubernetesClusterProvisioner against an API server in trouble", () => {
  /** A server whose namespace never finishes terminating (a stuck finalizer) and which is overloaded. */
  async function troubledServer() {
    const server = createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      if (req.url?.startsWith("/api/v1/namespaces/stuck")) {
        res.end(
          JSON.stringify({
            kind: "Namespace",
            metadata: { name: "stuck" },
            status: { phase: "Terminating" },
          }),
        );
      } else if (req.url === "/api/v1") {
        res.end(JSON.stringify({ resources: [{ name: "configmaps", kind: "ConfigMap", namespaced: true }] }));
      } else {
        res
          .writeHead(503)
          .end(JSON.stringify({ kind: "Status", reason: "ServiceUnavailable", message: "etcd busy" }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  it("gives up waiting for a namespace that stays Terminating with a TransientError", async () => {
    const server = await troubledServer();
    try {
      const cluster = new KubernetesClusterProvisioner(kubeConfigFor(server.url), {
        deleteTimeoutMs: 50,
        pollIntervalMs: 10,
      });
      await expect(cluster.deleteNamespace("stuck")).rejects.toMatchObject({
        name: "TransientError",
        message: expect.stringContaining("still terminating"),
      });
    } finally {
      await server.close();
    }
  });

  it("reports 5xx answers and refused connections as TransientError (the Task retries them)", async () => {
    const server = await troubledServer();
    const cluster = new KubernetesClusterProvisioner(kubeConfigFor(server.url));
    try {
      await expect(
        cluster.apply([{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "y" } }]),
      ).rejects.toMatchObject({ name: "TransientError", message: expect.stringContaining("etcd busy") });
    } finally {
      await server.close();
    }
    await expect(cluster.namespaceExists("any")).rejects.toMatchObject({ name: "TransientError" });
  });
});
