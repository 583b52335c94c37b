/**
 * The EKS cluster is the user's (not created here); Embark needs its name, the tenant-admin principal, and an
 * access entry per function that talks to the Kubernetes API, mapping its role to the group `embark-provisioner`.
 * That group gets its rights from the ClusterRole in the README (Deploy to AWS → Cluster access), not from an
 * EKS access policy: AmazonEKSClusterAdminPolicy would be far more than namespaces, quotas, policies and RBAC.
 */
import { CLUSTER_FUNCTIONS } from "../core/app/manifest.js";
import { PROVISIONER_GROUP } from "../core/cluster/tenant-objects.js";
import type { EmbarkConfig } from "./config.js";
import { type Context, pascal } from "./context.js";
import type { Functions } from "./functions.js";

export { PROVISIONER_GROUP };

export const clusterArn = (ctx: Context, config: EmbarkConfig) =>
  ctx.arn("eks", $interpolate`cluster/${config.eksClusterName}`);
export const clusterAccessEntriesArn = (ctx: Context, config: EmbarkConfig) =>
  ctx.arn("eks", $interpolate`access-entry/${config.eksClusterName}/*`);

export function createClusterAccess(config: EmbarkConfig, functions: Functions) {
  return CLUSTER_FUNCTIONS.map(
    (fn) =>
      new aws.eks.AccessEntry(`${pascal(fn)}ClusterAccess`, {
        clusterName: config.eksClusterName,
        principalArn: functions[fn].nodes.role.arn,
        kubernetesGroups: [PROVISIONER_GROUP],
        type: "STANDARD",
      }),
  );
}
