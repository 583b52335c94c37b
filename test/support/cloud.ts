import { inject } from "vitest";
import { localClientConfig } from "../../local/aws/client-config.js";
import type { Endpoints } from "../../local/cloud.js";

declare module "vitest" {
  export interface ProvidedContext {
    cloud: Endpoints;
  }
}

/** Endpoints of the local cloud the global setup started for this test run. */
export function cloud(): Endpoints {
  return inject("cloud");
}

/** Config for a real AWS SDK v3 client pointed at the local cloud's edge. */
export function awsConfig() {
  return localClientConfig(cloud().edge);
}
