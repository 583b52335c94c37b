/**
 * The soak's local cloud, in a process of its own so the soak can SIGKILL it and start it again on the same state
 * directory and ports. Prints `EMBARK_SOAK_CLOUD <endpoints json>` when ready; SIGTERM stops it cleanly.
 * Usage: cloud-child.ts <stateDir>; ports from EMBARK_EDGE_PORT, EMBARK_WEB_PORT, EMBARK_KUBE_PORT.
 */
import { startLocalCloud } from "../../local/cloud.js";
import { mountEmbark } from "../../local/embark/mount.js";

const stateDir = process.argv[2];
if (!stateDir) throw new Error("usage: cloud-child.ts <stateDir>");
process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";

const cloud = await startLocalCloud({
  stateDir,
  retryIntervalScale: Number(process.env.EMBARK_SOAK_RETRY_SCALE ?? "0.01"),
  pipelineDurationMs: 300,
  wire: mountEmbark,
});
// The endpoints without the webhook secret (the soak knows it; its secrets scan reads this log).
const { stripeWebhookSecret: _secret, ...endpoints } = cloud.endpoints as typeof cloud.endpoints & {
  stripeWebhookSecret?: string;
};
console.log(`EMBARK_SOAK_CLOUD ${JSON.stringify(endpoints)}`);
process.on("SIGTERM", () => {
  void cloud.stop().then(() => process.exit(0));
});
