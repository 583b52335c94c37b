/**
 * The EKS cluster is the user's (not created here); Embark needs its name, the tenant-admin principal, and an
 * access entry that maps the setup-namespace function's role to the Kubernetes group `embark-provisioner`.
 * That group gets its rights from the ClusterRole in the README (Deploy to AWS → Cluster access), not from an
 * EKS access policy: AmazonEKSClusterAdminPolicy would be far more than namespaces, quotas, policies and RBAC.
 */
import type { EmbarkConfig } from "./config.js";
import type { Context } from "./context.js";

export const PROVISIONER_GROUP = "embark-provisioner";

export const clusterArn = (ctx: Context, config: EmbarkConfig) =>
  ctx.arn("eks", $interpolate`cluster/${config.eksClusterName}`);
export const clusterAccessEntriesArn = (ctx: Context, config: EmbarkConfig) =>
  ctx.arn("eks", $interpolate`access-entry/${config.eksClusterName}/*`);

export function createClusterAccess(config: EmbarkConfig, provisionerRoleArn: $util.Input<string>) {
  return new aws.eks.AccessEntry("ProvisionerAccess", {
    clusterName: config.eksClusterName,
    principalArn: provisionerRoleArn,
    kubernetesGroups: [PROVISIONER_GROUP],
    type: "STANDARD",
  });
}
