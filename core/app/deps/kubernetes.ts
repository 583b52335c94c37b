/**
 * Dependencies backed by the Kubernetes API (and EKS): the tenant's namespace. Only the functions that talk to
 * the cluster import this, so only their bundles carry @kubernetes/client-node.
 */
import { clusterFromEnvironment } from "../../adapters/cluster.js";
import type { ClusterProvisioner } from "../../ports.js";

/** A fresh cluster connection per invocation: EKS tokens expire after minutes. */
export const cluster = (env: NodeJS.ProcessEnv) => (): Promise<ClusterProvisioner> =>
  clusterFromEnvironment(env);
/** The same connection, with the reads the reconciler compares live objects with. */
export const inspectableCluster = (env: NodeJS.ProcessEnv) => () => clusterFromEnvironment(env);
