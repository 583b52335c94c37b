/**
 * EKS access entries for a tenant's admins: the tenant-admin IAM principal is mapped to the Kubernetes group
 * `embark:tenant:<slug>:admins` (bound to the namespace's `tenant-admin` Role by tenantObjects' RoleBinding)
 * and gets AmazonEKSViewPolicy scoped to the tenant's namespace. Never the Edit or Admin access policies:
 * those would let tenants delete their own NetworkPolicies, quota and limits.
 *
 * The principal comes from EKS_TENANT_ADMIN_ROLE_ARN, which may contain `{slug}` for one role per tenant
 * (recommended: isolation). A single role shared by all tenants also works: groups and namespaces are merged
 * into its entry rather than replaced, since an entry exists once per principal and re-associating a policy
 * replaces its scope.
 */
import {
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  DeleteAccessEntryCommand,
  DescribeAccessEntryCommand,
  DisassociateAccessPolicyCommand,
  type EKSClient,
  ListAssociatedAccessPoliciesCommand,
  UpdateAccessEntryCommand,
} from "@aws-sdk/client-eks";
import { TENANT_GROUP } from "../cluster/tenant-objects.js";
import { isAwsError } from "./aws-errors.js";

export const EKS_VIEW_POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy";

export interface EksAccessConfig {
  client: EKSClient;
  clusterName: string;
  /** IAM principal ARN; `{slug}` is replaced by the tenant's slug. */
  tenantAdminPrincipal: string;
}

export const principalFor = (template: string, slug: string): string => template.replaceAll("{slug}", slug);

/** The tenant's admin principal and its Kubernetes group. */
const tenantAccessOf = (cfg: EksAccessConfig, slug: string) => ({
  principalArn: principalFor(cfg.tenantAdminPrincipal, slug),
  group: TENANT_GROUP(slug),
});

export async function grantTenantAccess(
  cfg: EksAccessConfig,
  slug: string,
  namespace: string,
): Promise<void> {
  const { principalArn, group } = tenantAccessOf(cfg, slug);
  try {
    await cfg.client.send(
      new CreateAccessEntryCommand({
        clusterName: cfg.clusterName,
        principalArn,
        kubernetesGroups: [group],
        type: "STANDARD",
        tags: { "embark:managed-by": "embark" },
      }),
    );
  } catch (err) {
    if (!isAwsError(err, "ResourceInUseException")) throw err;
    // The entry exists (an earlier run, or a shared principal): make sure it carries our group.
    const existing = await cfg.client.send(
      new DescribeAccessEntryCommand({ clusterName: cfg.clusterName, principalArn }),
    );
    const groups = existing.accessEntry?.kubernetesGroups ?? [];
    if (!groups.includes(group)) {
      await cfg.client.send(
        new UpdateAccessEntryCommand({
          clusterName: cfg.clusterName,
          principalArn,
          kubernetesGroups: [...groups, group],
        }),
      );
    }
  }

  const scope = await viewScope(cfg, principalArn);
  // Already visible cluster-wide (set up by an operator) or already covering the namespace: nothing to add.
  if (scope?.type === "cluster" || scope?.namespaces.includes(namespace)) return;
  await cfg.client.send(
    new AssociateAccessPolicyCommand({
      clusterName: cfg.clusterName,
      principalArn,
      policyArn: EKS_VIEW_POLICY_ARN,
      accessScope: { type: "namespace", namespaces: [...(scope?.namespaces ?? []), namespace] },
    }),
  );
}

/**
 * Takes the namespace and the tenant's group away from the principal again (offboarding), and deletes the
 * entry once nothing is left in it, if Embark created it.
 */
export async function revokeTenantAccess(
  cfg: EksAccessConfig,
  slug: string,
  namespace: string,
): Promise<void> {
  const { principalArn, group } = tenantAccessOf(cfg, slug);
  const key = { clusterName: cfg.clusterName, principalArn };
  let entry: { kubernetesGroups?: string[]; tags?: Record<string, string> } | undefined;
  try {
    entry = (await cfg.client.send(new DescribeAccessEntryCommand(key))).accessEntry;
  } catch (err) {
    if (isAwsError(err, "ResourceNotFoundException")) return;
    throw err;
  }

  const scope = await viewScope(cfg, principalArn);
  const namespacesLeft = scope?.namespaces.filter((ns) => ns !== namespace) ?? [];
  if (scope?.type === "namespace" && scope.namespaces.includes(namespace)) {
    if (namespacesLeft.length > 0) {
      await cfg.client.send(
        new AssociateAccessPolicyCommand({
          ...key,
          policyArn: EKS_VIEW_POLICY_ARN,
          accessScope: { type: "namespace", namespaces: namespacesLeft },
        }),
      );
    } else {
      await cfg.client.send(new DisassociateAccessPolicyCommand({ ...key, policyArn: EKS_VIEW_POLICY_ARN }));
    }
  }

  const groups = entry?.kubernetesGroups ?? [];
  const groupsLeft = groups.filter((g) => g !== group);
  const policiesLeft = await cfg.client.send(new ListAssociatedAccessPoliciesCommand(key));
  if (
    groupsLeft.length === 0 &&
    entry?.tags?.["embark:managed-by"] === "embark" &&
    !policiesLeft.associatedAccessPolicies?.length
  ) {
    try {
      await cfg.client.send(new DeleteAccessEntryCommand(key));
    } catch (err) {
      if (!isAwsError(err, "ResourceNotFoundException")) throw err;
    }
  } else if (groupsLeft.length !== groups.length) {
    await cfg.client.send(new UpdateAccessEntryCommand({ ...key, kubernetesGroups: groupsLeft }));
  }
}

async function viewScope(
  cfg: EksAccessConfig,
  principalArn: string,
): Promise<{ type: string; namespaces: string[] } | undefined> {
  let token: string | undefined;
  do {
    const page = await cfg.client.send(
      new ListAssociatedAccessPoliciesCommand({
        clusterName: cfg.clusterName,
        principalArn,
        nextToken: token,
      }),
    );
    const view = page.associatedAccessPolicies?.find((p) => p.policyArn === EKS_VIEW_POLICY_ARN);
    if (view)
      return { type: view.accessScope?.type ?? "cluster", namespaces: view.accessScope?.namespaces ?? [] };
    token = page.nextToken;
  } while (token);
  return undefined;
}
