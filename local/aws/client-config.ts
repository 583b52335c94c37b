import { LOCAL_CREDENTIALS, LOCAL_REGION } from "./constants.js";

/** Config for a real AWS SDK v3 client that talks to the local cloud's edge. */
export function localClientConfig(edgeUrl: string) {
  return { endpoint: edgeUrl, region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS } };
}
