/** Lifecycle step: write the cancelled tenant's export to S3 before anything is disabled (core/lifecycle/export.ts). */
import { identity } from "../core/app/deps/cognito.js";
import { plans, tenants } from "../core/app/deps/dynamodb.js";
import { inspectableCluster } from "../core/app/deps/kubernetes.js";
import { exports } from "../core/app/deps/s3.js";
import { lifecycleStep } from "../core/lifecycle/handlers.js";

export const handler = lifecycleStep("exportTenant", {
  tenants,
  plans,
  identity,
  clusterReader: inspectableCluster,
  exports,
});
