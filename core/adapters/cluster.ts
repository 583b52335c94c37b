/**
 * The tenant's Kubernetes objects, server-side applied (field manager "embark", force) exactly as
 * tenantObjects() wrote them: plain wire-format JSON sent through our own request (kube-http.ts), never through
 * client-node's model serializer, which drops wire names such as NetworkPolicy `from` and LimitRange `default`.
 * Plurals and scopes come from API discovery, as kubectl does it.
 *
 * Where the cluster is comes from the environment (clusterFromEnvironment): a kubeconfig locally, EKS
 * (DescribeCluster + an STS-presigned bearer token, built per invocation) in AWS.
 */
import { DescribeClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { type Cluster, KubeConfig } from "@kubernetes/client-node";
import { MANAGED_BY_LABEL, TENANT_ID_LABEL } from "../cluster/tenant-objects.js";
import type { ClusterInspector, ClusterProvisioner, LiveObject, ObjectRef } from "../ports.js";
import { type EksAccessConfig, grantTenantAccess, revokeTenantAccess } from "./eks-access.js";
import { eksBearerToken } from "./eks-auth.js";
import { KubeHttp, statusError, transientError } from "./kube-http.js";

export const FIELD_MANAGER = "embark";

interface DiscoveredResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

export interface ClusterOptions {
  /** Set on EKS: grants tenant admins access through access entries. Without it, access is a no-op. */
  eksAccess?: EksAccessConfig;
  /** How long deleteNamespace waits for the cascade (default 60 s). */
  deleteTimeoutMs?: number;
  /** Pause between polls while a namespace terminates (default 200 ms, doubling up to 4 s). */
  pollIntervalMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class KubernetesClusterProvisioner implements ClusterProvisioner, ClusterInspector {
  private readonly http: KubeHttp;
  private readonly discovery = new Map<string, Promise<DiscoveredResource[]>>();

  constructor(
    readonly kubeConfig: KubeConfig,
    private readonly options: ClusterOptions = {},
  ) {
    this.http = new KubeHttp(kubeConfig);
  }

  async apply(objects: ReadonlyArray<Record<string, unknown>>): Promise<void> {
    // In order: the Namespace comes first and the objects inside it need it.
    for (const object of objects) {
      const path = await this.objectPath(object as unknown as ObjectRef);
      const res = await this.http.request("PATCH", path, {
        // JSON is YAML: the body goes out byte for byte as the object was written.
        body: JSON.stringify(object),
        contentType: "application/apply-patch+yaml",
        // force: these objects are ours; take fields back from anyone who edited them by hand.
        query: { fieldManager: FIELD_MANAGER, force: "true" },
      });
      if (res.status !== 200 && res.status !== 201) throw statusError("PATCH", path, res);
    }
  }

  async grantNamespaceAccess(input: { slug: string; namespace: string }): Promise<void> {
    // Locally the stand-in has no authentication; the RoleBinding from tenantObjects is all there is.
    if (!this.options.eksAccess) return;
    await grantTenantAccess(this.options.eksAccess, input.slug, input.namespace);
  }

  async revokeNamespaceAccess(input: { slug: string; namespace: string }): Promise<void> {
    if (!this.options.eksAccess) return;
    await revokeTenantAccess(this.options.eksAccess, input.slug, input.namespace);
  }

  async deleteNamespace(namespace: string): Promise<void> {
    await this.startNamespaceDelete(namespace);

    // Deletion is asynchronous: the namespace stays (Terminating) until everything in it is gone.
    const deadline = Date.now() + (this.options.deleteTimeoutMs ?? 60_000);
    let pause = this.options.pollIntervalMs ?? 200;
    while (await this.namespaceExists(namespace)) {
      if (Date.now() >= deadline) {
        throw transientError(
          `Namespace ${namespace} is still terminating; its cascade delete has not finished`,
        );
      }
      await sleep(pause);
      pause = Math.min(pause * 2, 4_000);
    }
  }

  /**
   * Deletes every pod of the namespace (a cancelled tenant: with the quota at zero pods, their controllers
   * cannot make new ones). Returns how many it deleted; a missing namespace has none.
   */
  async evictPods(namespace: string): Promise<number> {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
    const res = await this.http.request("GET", path);
    if (res.status === 404) return 0;
    if (res.status !== 200) throw statusError("GET", path, res);
    const items = ((res.body as { items?: Array<{ metadata?: { name?: string } }> } | undefined)?.items ??
      []) as Array<{ metadata?: { name?: string } }>;
    let deleted = 0;
    for (const pod of items) {
      const name = pod.metadata?.name;
      if (!name) continue;
      const podPath = `${path}/${encodeURIComponent(name)}`;
      const del = await this.http.request("DELETE", podPath);
      if (del.status !== 200 && del.status !== 202 && del.status !== 404)
        throw statusError("DELETE", podPath, del);
      deleted++;
    }
    return deleted;
  }

  async namespaceExists(namespace: string): Promise<boolean> {
    const path = namespacePath(namespace);
    const res = await this.http.request("GET", path);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw statusError("GET", path, res);
  }

  /**
   * Reads the objects with as few requests as the API allows: a GET per cluster-scoped object, one list per
   * kind and namespace for the rest (a tenant's guard rails: six lists, not nine GETs).
   */
  async read(objects: readonly ObjectRef[]): Promise<Array<LiveObject | undefined>> {
    const lists = new Map<string, Promise<Map<string, LiveObject>>>();
    return Promise.all(
      objects.map(async (object) => {
        const path = await this.objectPath(object);
        const { namespace, name } = object.metadata;
        if (!namespace) {
          const res = await this.http.request("GET", path);
          if (res.status === 404) return undefined;
          if (res.status !== 200) throw statusError("GET", path, res);
          return res.body as LiveObject;
        }
        const listPath = path.slice(0, path.lastIndexOf("/"));
        let list = lists.get(listPath);
        if (!list) {
          list = this.http.request("GET", listPath).then((res) => {
            // Listing in a namespace that does not exist answers an empty list, as the apiserver does.
            if (res.status !== 200) throw statusError("GET", listPath, res);
            const items = (res.body as { items?: LiveObject[] }).items ?? [];
            return new Map(items.map((item) => [item.metadata.name, item]));
          });
          lists.set(listPath, list);
        }
        return (await list).get(name);
      }),
    );
  }

  async listManagedNamespaces(page: { limit: number; continue?: string; tenantId?: string }) {
    const selector = [
      `${MANAGED_BY_LABEL}=embark`,
      ...(page.tenantId ? [`${TENANT_ID_LABEL}=${page.tenantId}`] : []),
    ];
    const path = "/api/v1/namespaces";
    const res = await this.http.request("GET", path, {
      query: {
        labelSelector: selector.join(","),
        limit: String(page.limit),
        ...(page.continue ? { continue: page.continue } : {}),
      },
    });
    if (res.status !== 200) throw statusError("GET", path, res);
    const body = res.body as { items?: LiveObject[]; metadata?: { continue?: string } };
    return {
      namespaces: (body.items ?? []).map((ns) => {
        const meta = ns.metadata as LiveObject["metadata"] & { creationTimestamp?: string };
        const phase = (ns.status as { phase?: string } | undefined)?.phase;
        return {
          name: meta.name,
          tenantId: meta.labels?.[TENANT_ID_LABEL],
          created: meta.creationTimestamp ? new Date(meta.creationTimestamp) : undefined,
          terminating: meta.deletionTimestamp !== undefined || phase === "Terminating",
        };
      }),
      ...(body.metadata?.continue ? { continue: body.metadata.continue } : {}),
    };
  }

  async startNamespaceDelete(namespace: string): Promise<void> {
    const path = namespacePath(namespace);
    const res = await this.http.request("DELETE", path);
    if (res.status !== 200 && res.status !== 202 && res.status !== 404)
      throw statusError("DELETE", path, res);
  }

  async remove(object: ObjectRef): Promise<void> {
    const path = await this.objectPath(object);
    const res = await this.http.request("DELETE", path);
    if (res.status !== 200 && res.status !== 202 && res.status !== 404)
      throw statusError("DELETE", path, res);
  }

  /** The object's URL path, e.g. /apis/networking.k8s.io/v1/namespaces/tenant-acme/networkpolicies/x. */
  private async objectPath(object: ObjectRef): Promise<string> {
    const { apiVersion, kind, metadata } = object;
    if (!apiVersion || !kind || !metadata?.name)
      throw new Error("A Kubernetes object needs apiVersion, kind and name");
    const resource = (await this.resources(apiVersion)).find((r) => r.kind === kind);
    if (!resource) throw new Error(`The cluster does not serve ${kind} in ${apiVersion}`);
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const name = encodeURIComponent(metadata.name);
    if (!resource.namespaced) return `${base}/${resource.name}/${name}`;
    if (!metadata.namespace) throw new Error(`${kind} ${metadata.name} needs metadata.namespace`);
    return `${base}/namespaces/${encodeURIComponent(metadata.namespace)}/${resource.name}/${name}`;
  }

  /** The resources of one group version, from discovery (cached per provisioner, i.e. per invocation). */
  private resources(apiVersion: string): Promise<DiscoveredResource[]> {
    let cached = this.discovery.get(apiVersion);
    if (!cached) {
      const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      cached = this.http.request("GET", path).then((res) => {
        if (res.status !== 200) throw statusError("GET", path, res);
        const list = res.body as { resources?: DiscoveredResource[] };
        // Subresources (namespaces/status) share the kind; only the resource itself takes the object.
        return (list.resources ?? []).filter((r) => !r.name.includes("/"));
      });
      cached.catch(() => this.discovery.delete(apiVersion));
      this.discovery.set(apiVersion, cached);
    }
    return cached;
  }
}

function namespacePath(namespace: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}`;
}

/** client-node refuses plain-HTTP servers unless skipTLSVerify is set (the local stand-in speaks HTTP). */
function allowPlainHttp(kc: KubeConfig): KubeConfig {
  if (!kc.clusters.some((c) => c.server.startsWith("http:") && !c.skipTLSVerify)) return kc;
  const fixed = new KubeConfig();
  fixed.loadFromOptions({
    clusters: kc.clusters.map(
      (c): Cluster => (c.server.startsWith("http:") ? { ...c, skipTLSVerify: true } : c),
    ),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return fixed;
}

export interface ClusterDeps {
  /** EKS client for DescribeCluster and access entries (default: from the standard AWS environment). */
  eks?: EKSClient;
}

/**
 * The cluster for this invocation:
 * - KUBECONFIG set: that kubeconfig (its current context); the local cloud writes one for its stand-in.
 * - else EKS_CLUSTER_NAME set: the EKS cluster's endpoint and CA from DescribeCluster and a fresh bearer token
 *   (valid 60 s, so build the provisioner per invocation, never at module load).
 * With EKS_CLUSTER_NAME and EKS_TENANT_ADMIN_ROLE_ARN set, grantNamespaceAccess manages access entries.
 */
export async function clusterFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  deps: ClusterDeps = {},
): Promise<KubernetesClusterProvisioner> {
  const clusterName = env.EKS_CLUSTER_NAME || undefined;
  const eks = clusterName ? (deps.eks ?? new EKSClient({})) : undefined;
  const eksAccess: EksAccessConfig | undefined =
    eks && clusterName && env.EKS_TENANT_ADMIN_ROLE_ARN
      ? { client: eks, clusterName, tenantAdminPrincipal: env.EKS_TENANT_ADMIN_ROLE_ARN }
      : undefined;

  if (env.KUBECONFIG) {
    const kc = new KubeConfig();
    // KUBECONFIG may list several files, as for kubectl; the first one is used.
    const [file] = env.KUBECONFIG.split(process.platform === "win32" ? ";" : ":").filter(Boolean);
    kc.loadFromFile(file!);
    return new KubernetesClusterProvisioner(allowPlainHttp(kc), { eksAccess });
  }

  if (eks && clusterName) {
    const { endpoint, caData } = await clusterAddress(eks, clusterName);
    const region = await eks.config.region();
    const token = await eksBearerToken({ clusterName, region, credentials: eks.config.credentials });
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: clusterName, server: endpoint, caData, skipTLSVerify: false }],
      users: [{ name: "embark", token }],
      contexts: [{ name: clusterName, cluster: clusterName, user: "embark" }],
      currentContext: clusterName,
    });
    return new KubernetesClusterProvisioner(kc, { eksAccess });
  }

  throw new Error("No cluster configured: set KUBECONFIG (local) or EKS_CLUSTER_NAME (EKS)");
}

/** How long a warm function reuses a cluster's endpoint and CA (the token is made fresh every time). */
const CLUSTER_ADDRESS_TTL_MS = 10 * 60_000;
const addresses = new Map<string, { endpoint: string; caData: string; at: number }>();

/** The cluster's endpoint and CA (DescribeCluster), kept for a while: they outlive any invocation. */
async function clusterAddress(eks: EKSClient, clusterName: string) {
  const hit = addresses.get(clusterName);
  if (hit && Date.now() - hit.at < CLUSTER_ADDRESS_TTL_MS) return hit;
  const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
  const endpoint = cluster?.endpoint;
  const caData = cluster?.certificateAuthority?.data;
  if (!endpoint || !caData) throw transientError(`EKS cluster ${clusterName} has no endpoint or CA yet`);
  const address = { endpoint, caData, at: Date.now() };
  addresses.set(clusterName, address);
  return address;
}
