import { EKSClient } from "@aws-sdk/client-eks";
import { describe, expect, it } from "vitest";
import { clusterFromEnvironment } from "../../../core/adapters/cluster.js";
import {
  EKS_VIEW_POLICY_ARN,
  grantTenantAccess,
  revokeTenantAccess,
} from "../../../core/adapters/eks-access.js";
import { EKS_TOKEN_PREFIX } from "../../../core/adapters/eks-auth.js";

type Scope = { type: string; namespaces?: string[] };
interface Entry {
  kubernetesGroups: string[];
  tags: Record<string, string>;
  policies: Map<string, Scope>;
}

function awsError(name: string): Error {
  return Object.assign(new Error(name), { name });
}

/**
 * A real EKSClient (its config resolves region and credentials) whose `send` answers from memory with the
 * EKS access-entry semantics we rely on: one entry per principal (ResourceInUseException on a second
 * create), UpdateAccessEntry replaces the groups, AssociateAccessPolicy upserts and replaces the scope.
 */
function fakeEks() {
  const entries = new Map<string, Entry>();
  const calls: string[] = [];
  const client = new EKSClient({
    region: "eu-west-1",
    credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
  });
  const entryOf = (arn: string): Entry => {
    const e = entries.get(arn);
    if (!e) throw awsError("ResourceNotFoundException");
    return e;
  };
  // biome-ignore lint/suspicious/noExplicitAny: a stand-in for the client's overloaded send
  (client as any).send = async (command: { constructor: { name: string }; input: any }) => {
    const op = command.constructor.name.replace(/Command$/, "");
    const i = command.input;
    calls.push(op);
    switch (op) {
      case "DescribeCluster":
        return {
          cluster: {
            endpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
            certificateAuthority: { data: "Q0FEQVRB" },
          },
        };
      case "CreateAccessEntry":
        if (entries.has(i.principalArn)) throw awsError("ResourceInUseException");
        entries.set(i.principalArn, {
          kubernetesGroups: i.kubernetesGroups ?? [],
          tags: i.tags ?? {},
          policies: new Map(),
        });
        return {};
      case "DescribeAccessEntry": {
        const e = entryOf(i.principalArn);
        return {
          accessEntry: {
            principalArn: i.principalArn,
            kubernetesGroups: [...e.kubernetesGroups],
            tags: e.tags,
          },
        };
      }
      case "UpdateAccessEntry":
        entryOf(i.principalArn).kubernetesGroups = [...i.kubernetesGroups];
        return {};
      case "DeleteAccessEntry":
        entryOf(i.principalArn);
        entries.delete(i.principalArn);
        return {};
      case "AssociateAccessPolicy":
        entryOf(i.principalArn).policies.set(i.policyArn, structuredClone(i.accessScope));
        return {};
      case "DisassociateAccessPolicy":
        entryOf(i.principalArn).policies.delete(i.policyArn);
        return {};
      case "ListAssociatedAccessPolicies":
        return {
          associatedAccessPolicies: [...entryOf(i.principalArn).policies].map(([policyArn, accessScope]) => ({
            policyArn,
            accessScope,
          })),
        };
      default:
        throw new Error(`unexpected ${op}`);
    }
  };
  return { client, entries, calls };
}

const role = (slug: string) => `arn:aws:iam::111122223333:role/embark-tenant-${slug}-admin`;

describe("EKS access entries", () => {
  it("maps a per-tenant role to the tenant's group with view access scoped to its namespace", async () => {
    const eks = fakeEks();
    const cfg = { client: eks.client, clusterName: "prod", tenantAdminPrincipal: role("{slug}") };
    await grantTenantAccess(cfg, "acme", "tenant-acme");

    const entry = eks.entries.get(role("acme"))!;
    expect(entry.kubernetesGroups).toEqual(["embark:tenant:acme:admins"]);
    expect([...entry.policies]).toEqual([
      [EKS_VIEW_POLICY_ARN, { type: "namespace", namespaces: ["tenant-acme"] }],
    ]);

    // Idempotent: a re-run changes nothing and associates nothing again.
    eks.calls.length = 0;
    await grantTenantAccess(cfg, "acme", "tenant-acme");
    expect(eks.calls).not.toContain("AssociateAccessPolicy");
    expect(eks.calls).not.toContain("UpdateAccessEntry");
    expect(eks.entries.get(role("acme"))!.kubernetesGroups).toEqual(["embark:tenant:acme:admins"]);
  });

  it("merges tenants into a shared role's entry instead of replacing the first tenant's access", async () => {
    const eks = fakeEks();
    const cfg = { client: eks.client, clusterName: "prod", tenantAdminPrincipal: role("shared") };
    await grantTenantAccess(cfg, "acme", "tenant-acme");
    await grantTenantAccess(cfg, "globex", "tenant-globex");

    const entry = eks.entries.get(role("shared"))!;
    expect(entry.kubernetesGroups).toEqual(["embark:tenant:acme:admins", "embark:tenant:globex:admins"]);
    expect(entry.policies.get(EKS_VIEW_POLICY_ARN)).toEqual({
      type: "namespace",
      namespaces: ["tenant-acme", "tenant-globex"],
    });

    await revokeTenantAccess(cfg, "acme", "tenant-acme");
    expect(entry.kubernetesGroups).toEqual(["embark:tenant:globex:admins"]);
    expect(entry.policies.get(EKS_VIEW_POLICY_ARN)).toEqual({
      type: "namespace",
      namespaces: ["tenant-globex"],
    });
  });

  it("adds the group to an entry someone else created, and never narrows a cluster-wide view", async () => {
    const eks = fakeEks();
    eks.entries.set(role("acme"), {
      kubernetesGroups: ["ops"],
      tags: {},
      policies: new Map([[EKS_VIEW_POLICY_ARN, { type: "cluster" }]]),
    });
    await grantTenantAccess(
      { client: eks.client, clusterName: "prod", tenantAdminPrincipal: role("{slug}") },
      "acme",
      "tenant-acme",
    );
    const entry = eks.entries.get(role("acme"))!;
    expect(entry.kubernetesGroups).toEqual(["ops", "embark:tenant:acme:admins"]);
    expect(entry.policies.get(EKS_VIEW_POLICY_ARN)).toEqual({ type: "cluster" });
  });

  it("revoking a per-tenant role's last access deletes the entry Embark created; revoking again is fine", async () => {
    const eks = fakeEks();
    const cfg = { client: eks.client, clusterName: "prod", tenantAdminPrincipal: role("{slug}") };
    await grantTenantAccess(cfg, "acme", "tenant-acme");
    await revokeTenantAccess(cfg, "acme", "tenant-acme");
    expect(eks.entries.has(role("acme"))).toBe(false);
    await revokeTenantAccess(cfg, "acme", "tenant-acme");
  });
});

describe("clusterFromEnvironment on EKS", () => {
  it("connects with DescribeCluster's endpoint and CA and a fresh EKS bearer token", async () => {
    const eks = fakeEks();
    const cluster = await clusterFromEnvironment({ EKS_CLUSTER_NAME: "prod" }, { eks: eks.client });
    const kc = cluster.kubeConfig;
    expect(kc.getCurrentCluster()).toMatchObject({
      server: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
      caData: "Q0FEQVRB",
      skipTLSVerify: false,
    });
    const token = kc.getCurrentUser()?.token ?? "";
    expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
    const url = new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), "base64url").toString());
    expect(url.hostname).toBe("sts.eu-west-1.amazonaws.com");
    expect(url.searchParams.get("X-Amz-Credential")).toMatch(/^AKID\//);

    // Without EKS_TENANT_ADMIN_ROLE_ARN there is nobody to grant access to.
    eks.calls.length = 0;
    await cluster.grantNamespaceAccess({ slug: "acme", namespace: "tenant-acme" });
    expect(eks.calls).toEqual([]);
  });

  it("grants access through access entries when EKS_TENANT_ADMIN_ROLE_ARN is set", async () => {
    const eks = fakeEks();
    const cluster = await clusterFromEnvironment(
      { EKS_CLUSTER_NAME: "prod", EKS_TENANT_ADMIN_ROLE_ARN: role("{slug}") },
      { eks: eks.client },
    );
    await cluster.grantNamespaceAccess({ slug: "acme", namespace: "tenant-acme" });
    expect(eks.entries.get(role("acme"))?.kubernetesGroups).toEqual(["embark:tenant:acme:admins"]);
    const policies = [...(eks.entries.get(role("acme"))?.policies.keys() ?? [])];
    expect(policies).toEqual([EKS_VIEW_POLICY_ARN]);
  });
});
