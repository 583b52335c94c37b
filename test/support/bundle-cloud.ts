/**
 * A local cloud running the deployment bundles (EMBARK_LAMBDA_CODE=bundle), in a process of its own: started by
 * test/support/bundle-cloud-setup.ts for the `bundles` vitest project. A second cloud cannot share the test
 * runner's process, since functions read their resources from process.env. Prints one line
 * `EMBARK_BUNDLE_CLOUD <endpoints json>` when ready; stops on SIGTERM. Each function's first invocation is
 * recorded in <stateDir>/first-invocations.json.
 */
import { join } from "node:path";
import { mountEmbark } from "../../local/embark/mount.js";
import { recordFirstInvocations } from "./first-invocations.js";
import { startTestCloud } from "./test-cloud.js";

const stateDir = process.argv[2];
if (!stateDir) throw new Error("usage: bundle-cloud.ts <stateDir>");
process.env.EMBARK_LAMBDA_CODE = "bundle";
process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";

const { cloud } = await startTestCloud("bundles", {
  stateDir,
  wire: async (c) => {
    // A second of grace, so the journey sees a cancelled tenant purged.
    await mountEmbark(c, { offboardGraceSeconds: 1 });
    recordFirstInvocations(c, join(stateDir, "first-invocations.json"));
  },
});
console.log(`EMBARK_BUNDLE_CLOUD ${JSON.stringify(cloud.endpoints)}`);
process.on("SIGTERM", () => {
  void cloud.stop().then(() => process.exit(0));
});
