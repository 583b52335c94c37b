/**
 * A local cloud in a child process of test/support/cloud-process.ts, on <stateDir>, which the test may SIGKILL
 * and start again: `cloud-child.ts <stateDir> <sideEffectsFile>`, with Embark mounted when EMBARK_CHILD_MOUNT=1.
 * Short Step Functions retries (EMBARK_CHILD_RETRY_SCALE, default 0.01) and pipeline runs (300 ms) as in the
 * test cloud; ports from EMBARK_EDGE_PORT / EMBARK_WEB_PORT / EMBARK_KUBE_PORT (0: free ones). Prints
 * `CLOUD-CHILD-READY` once ready (endpoints.json written); SIGTERM or SIGINT stops it cleanly.
 *
 * Fixture functions append one JSON line per call to <sideEffectsFile>, written before they return, so a kill
 * after the call still leaves the line: the tests count invocations across a kill from it.
 */
import { access, appendFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { startLocalCloud } from "../../local/cloud.js";
import { mountEmbark } from "../../local/embark/mount.js";
import type { FunctionDefinition } from "../../local/lambda/registry.js";

const [stateDir, sideEffects] = process.argv.slice(2);
if (!stateDir || !sideEffects) throw new Error("usage: cloud-child.ts <stateDir> <sideEffectsFile>");
process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";

const note = (entry: Record<string, unknown>) =>
  appendFile(sideEffects, `${JSON.stringify({ ...entry, pid: process.pid, at: Date.now() })}\n`);
/** The gate (a file beside the side effects, which the test creates) holds crash-hang and fails crash-flaky. */
const gateOpen = () =>
  access(`${sideEffects}.gate`).then(
    () => true,
    () => false,
  );

const fixtures: FunctionDefinition[] = [
  {
    // Records {fn: "crash-step", step, key} and returns its event; with `ms`, notes "start", waits, then "end".
    name: "crash-step",
    timeoutSeconds: 60,
    load: async () => async (event) => {
      await note({ fn: "crash-step", phase: "start", step: event?.step, key: event?.key });
      if (typeof event?.ms === "number") await sleep(event.ms);
      await note({ fn: "crash-step", phase: "end", step: event?.step, key: event?.key });
      return event;
    },
  },
  {
    // Records the task token it was handed (for .waitForTaskToken states).
    name: "crash-token",
    load: async () => async (event) => {
      await note({ fn: "crash-token", key: event?.key, token: event?.taskToken });
      return {};
    },
  },
  {
    // An EventBridge target: records each event it gets.
    name: "crash-target",
    load: async () => async (event) => {
      await note({ fn: "crash-target", event });
      return {};
    },
  },
  {
    // Waits (up to its 30 s timeout) while the gate is shut, then records.
    name: "crash-hang",
    load: async () => async (event) => {
      while (!(await gateOpen())) await sleep(50);
      await note({ fn: "crash-hang", event, note: "ran" });
      return { ok: true };
    },
  },
  {
    // Records an attempt, and fails while the gate is shut.
    name: "crash-flaky",
    load: async () => async (event) => {
      const open = await gateOpen();
      await note({ fn: "crash-flaky", event, note: open ? "ran" : "failed" });
      if (!open) throw new Error("gate closed");
      return { ok: true };
    },
  },
];

const embark = process.env.EMBARK_CHILD_MOUNT === "1";
const port = (name: string) => Number(process.env[name] || 0);
const cloud = await startLocalCloud({
  stateDir,
  edgePort: port("EMBARK_EDGE_PORT"),
  webPort: port("EMBARK_WEB_PORT"),
  kubePort: port("EMBARK_KUBE_PORT"),
  retryIntervalScale: Number(process.env.EMBARK_CHILD_RETRY_SCALE ?? "0.01"),
  pipelineDurationMs: 300,
  ...(embark ? { wire: mountEmbark } : { functions: fixtures }),
});
console.log("CLOUD-CHILD-READY");
const stop = () => void cloud.stop().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
