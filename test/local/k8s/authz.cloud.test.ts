/**
 * The stand-in's request authorization through real clients: impersonation headers (kubectl --as/--as-group,
 * client-node), SelfSubjectAccessReview (JSON and kubectl's protobuf), the built-in roles, and what stays
 * unrestricted (requests without impersonation: the provisioner).
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { AuthorizationV1Api, CoreV1Api } from "@kubernetes/client-node";
import { dump } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeConfigFor, writeKubeconfig } from "../../../local/k8s/kubeconfig.js";
import { startKubeApi } from "../../../local/k8s/server.js";

const run = promisify(execFile);
let api: { url: string; stop(): Promise<void> };
let dir: string;
let kubeconfig: string;

async function kubectl(args: string[], input?: string): Promise<{ code: number; out: string; err: string }> {
  const argv = ["--kubeconfig", kubeconfig, ...args];
  if (input !== undefined) {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, input);
    argv.push("-f", file);
  }
  try {
    const { stdout, stderr } = await run("/usr/bin/kubectl", argv);
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, out: err.stdout ?? "", err: err.stderr ?? "" };
  }
}

const rbac = (kind: string, name: string, ns: string, body: Record<string, unknown>) =>
  dump({ apiVersion: "rbac.authorization.k8s.io/v1", kind, metadata: { name, namespace: ns }, ...body });
const bindGroup = (name: string, ns: string, role: string, group: string) =>
  rbac("RoleBinding", name, ns, {
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects: [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: group }],
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "embark-authz-"));
  api = await startKubeApi({ port: 0 });
  kubeconfig = join(dir, "kubeconfig");
  await writeKubeconfig(kubeconfig, api.url);
  await kubectl(["create", "namespace", "team-a", "--dry-run=client", "-o", "yaml"]).then((r) =>
    kubectl(["apply", "--server-side"], r.out),
  );
  await kubectl(["apply", "--server-side"], bindGroup("viewers", "team-a", "view", "viewers"));
  await kubectl(["apply", "--server-side"], bindGroup("editors", "team-a", "edit", "editors"));
  await kubectl(
    ["apply", "--server-side"],
    dump({
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "q", namespace: "team-a" },
      spec: { hard: { pods: "1" } },
    }),
  );
  await kubectl(
    ["apply", "--server-side"],
    dump({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "deny", namespace: "team-a" },
      spec: { podSelector: {} },
    }),
  );
});

afterAll(async () => {
  await api?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("built-in roles", () => {
  it("the apiserver's default ClusterRoles and bindings exist, labelled rbac-defaults", async () => {
    const roles = JSON.parse(
      (
        await kubectl([
          "get",
          "clusterroles",
          "-l",
          "kubernetes.io/bootstrapping=rbac-defaults",
          "-o",
          "json",
        ])
      ).out,
    );
    expect(roles.items.map((r: { metadata: { name: string } }) => r.metadata.name).sort()).toEqual(
      [
        "admin",
        "cluster-admin",
        "edit",
        "system:aggregate-to-admin",
        "system:aggregate-to-edit",
        "system:aggregate-to-view",
        "system:basic-user",
        "system:discovery",
        "view",
      ].sort(),
    );
    const bindings = JSON.parse((await kubectl(["get", "clusterrolebindings", "-o", "json"])).out);
    expect(bindings.items.map((b: { metadata: { name: string } }) => b.metadata.name).sort()).toEqual([
      "cluster-admin",
      "system:basic-user",
      "system:discovery",
    ]);
  });

  it("view reads quota but not Secrets and writes nothing; edit can delete NetworkPolicies (why tenants never get it)", async () => {
    const can = async (q: string, group: string) =>
      (
        await kubectl(["auth", "can-i", ...q.split(" "), "-n", "team-a", "--as", "u", "--as-group", group])
      ).out.trim();
    expect(await can("get resourcequotas", "viewers")).toBe("yes");
    expect(await can("get secrets", "viewers")).toBe("no");
    expect(await can("delete pods", "viewers")).toBe("no");
    expect(await can("delete networkpolicies.networking.k8s.io", "editors")).toBe("yes");
    expect(await can("update resourcequotas", "editors")).toBe("no");
    const deleted = await kubectl([
      "delete",
      "netpol",
      "deny",
      "-n",
      "team-a",
      "--as",
      "u",
      "--as-group",
      "editors",
    ]);
    expect(deleted.out).toContain('networkpolicy.networking.k8s.io "deny" deleted');
  });
});

describe("impersonation", () => {
  it("a group without a user is refused as the apiserver does", async () => {
    const res = await fetch(`${api.url}/api/v1/namespaces/team-a/pods`, {
      headers: { "Impersonate-Group": "viewers" },
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({
      kind: "Status",
      reason: "InternalError",
      message: "Internal error occurred: requested [{Group  viewers}] without impersonating a user",
    });
  });

  it("an impersonated user without bindings may discover the API but not read it; anonymous may not discover", async () => {
    expect((await fetch(`${api.url}/apis`, { headers: { "Impersonate-User": "nobody" } })).status).toBe(200);
    const pods = await fetch(`${api.url}/api/v1/namespaces/team-a/pods`, {
      headers: { "Impersonate-User": "nobody" },
    });
    expect(pods.status).toBe(403);
    expect(await pods.json()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message:
        'pods is forbidden: User "nobody" cannot list resource "pods" in API group "" in the namespace "team-a"',
      reason: "Forbidden",
      details: { kind: "pods" },
      code: 403,
    });
    const anon = await fetch(`${api.url}/api`, { headers: { "Impersonate-User": "system:anonymous" } });
    expect(anon.status).toBe(403);
    expect((await anon.json()).message).toBe('forbidden: User "system:anonymous" cannot get path "/api"');
  });

  it("requests without impersonation stay unrestricted (the provisioner)", async () => {
    const core = kubeConfigFor(api.url).makeApiClient(CoreV1Api);
    expect((await core.listNamespacedSecret({ namespace: "team-a" })).items).toEqual([]);
  });
});

describe("SelfSubjectAccessReview", () => {
  it("answers for the impersonated user (client-node, JSON), naming the binding that allows it", async () => {
    const kc = kubeConfigFor(api.url);
    kc.users[0] = { ...kc.users[0]!, impersonateUser: "v" } as (typeof kc.users)[0];
    const { setHeaderOptions } = await import("@kubernetes/client-node");
    const authz = kc.makeApiClient(AuthorizationV1Api);
    const review = await authz.createSelfSubjectAccessReview(
      { body: { spec: { resourceAttributes: { namespace: "team-a", verb: "list", resource: "pods" } } } },
      setHeaderOptions("Impersonate-Group", "viewers"),
    );
    expect(review.status).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "viewers/team-a" of ClusterRole "view" to Group "viewers"',
    });
    const denied = await authz.createSelfSubjectAccessReview(
      { body: { spec: { resourceAttributes: { namespace: "team-a", verb: "delete", resource: "pods" } } } },
      setHeaderOptions("Impersonate-Group", "viewers"),
    );
    expect(denied.status).toEqual({ allowed: false });
  });

  it("kubectl auth can-i (protobuf) gets yes/no and its exit code; subresources and non-resource paths too", async () => {
    const as = ["--as", "e", "--as-group", "editors"];
    const yes = await kubectl([
      "auth",
      "can-i",
      "create",
      "pods",
      "--subresource=exec",
      "-n",
      "team-a",
      ...as,
    ]);
    expect(yes).toMatchObject({ code: 0, out: "yes\n" });
    const no = await kubectl([
      "auth",
      "can-i",
      "create",
      "roles.rbac.authorization.k8s.io",
      "-n",
      "team-a",
      ...as,
    ]);
    expect(no).toMatchObject({ code: 1, out: "no\n" });
    expect((await kubectl(["auth", "can-i", "get", "/apis", ...as])).out).toBe("yes\n");
    expect((await kubectl(["auth", "can-i", "get", "/metrics", ...as])).out).toBe("no\n");
  });

  it("a review naming neither resource nor non-resource attributes is 422", async () => {
    const res = await fetch(`${api.url}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`, {
      method: "POST",
      headers: { "content-type": "application/json", "Impersonate-User": "v" },
      body: JSON.stringify({ spec: {} }),
    });
    expect(res.status).toBe(422);
    expect((await res.json()).message).toContain(
      "exactly one of nonResourceAttributes or resourceAttributes must be specified",
    );
  });
});
