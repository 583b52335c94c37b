import { inject } from "vitest";
import { localClientConfig } from "../../local/aws/client-config.js";
import type { Endpoints } from "../../local/cloud.js";
import type { EmbarkEndpoints } from "../../local/embark/mount.js";

declare module "vitest" {
  export interface ProvidedContext {
    cloud: Endpoints & EmbarkEndpoints;
  }
}

/** Endpoints of the local cloud the global setup started for this test run. */
export function cloud(): Endpoints & EmbarkEndpoints {
  return inject("cloud");
}

/** Config for a real AWS SDK v3 client pointed at the local cloud's edge. */
export function awsConfig() {
  return localClientConfig(cloud().edge);
}
