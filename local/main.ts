/**
 * `npm start`: runs the embedded local cloud with Embark wired into it until Ctrl-C.
 * `npm start -- --fresh` wipes .local/ first; `npm start -- --bundles` builds the deployment bundles
 * (`npm run bundle`) and runs those instead of the TypeScript sources (EMBARK_LAMBDA_CODE=bundle).
 */
import { performance } from "node:perf_hooks";
import { startLocalCloud } from "./cloud.js";
import { mountEmbark } from "./embark/mount.js";

const t0 = performance.now();
const fresh = process.argv.includes("--fresh");
if (process.argv.includes("--bundles")) {
  const { bundleFunctions } = await import("../scripts/bundle.js");
  await bundleFunctions();
  process.env.EMBARK_LAMBDA_CODE = "bundle";
}
const cloud = await startLocalCloud({ fresh, wire: mountEmbark });
const readyMs = Math.round(performance.now() - t0);
const e = cloud.endpoints;
const rssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);

console.log(`
  Embark local cloud is ready in ${readyMs} ms (${rssMb} MB RSS)${fresh ? " — fresh state" : ""}${
    process.env.EMBARK_LAMBDA_CODE === "bundle" ? " — functions run from dist/functions bundles" : ""
  }

  Signup page        ${e.web}/
  Operator console   ${e.web}/console
  AWS edge endpoint  ${e.edge}      (export AWS_ENDPOINT_URL=${e.edge})
  Kubernetes API     ${e.kubernetes}  (kubectl --kubeconfig ${e.kubeconfig})
  Mail sent (SES)    ${e.sesMessages}
  State              ${e.stateDir}  (endpoints.json, kubeconfig)

  Press Ctrl-C to stop.
`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the local cloud…`);
  const timer = setTimeout(() => {
    console.error("forced exit: shutdown took longer than 10 s");
    process.exit(1);
  }, 10_000);
  timer.unref();
  await cloud.stop();
  console.log("stopped.");
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
