/**
 * A bare local cloud (no Embark) for the crash tests, run as a child process that the test kills with SIGKILL and
 * starts again on the same state directory: `crash-cloud-main.ts <stateDir> <sideEffectsFile>`. Its fixture
 * functions append one JSON line per call to the side-effects file (written before they return, so a kill after
 * the call still leaves the line), which is how the tests count invocations across the kill.
 */
import { appendFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { startLocalCloud } from "../../local/cloud.js";
import type { FunctionDefinition } from "../../local/lambda/registry.js";

const [stateDir, sideEffects] = process.argv.slice(2);
if (!stateDir || !sideEffects) throw new Error("usage: crash-cloud-main.ts <stateDir> <sideEffectsFile>");

const note = (entry: Record<string, unknown>) =>
  appendFileSync(sideEffects, `${JSON.stringify({ ...entry, pid: process.pid, at: Date.now() })}\n`);

const functions: FunctionDefinition[] = [
  {
    // Records {fn: "crash-step", step, key} and returns its event; with `ms`, notes "start", waits, then "end".
    name: "crash-step",
    timeoutSeconds: 60,
    load: async () => async (event) => {
      note({ fn: "crash-step", phase: "start", step: event?.step, key: event?.key });
      if (typeof event?.ms === "number") await sleep(event.ms);
      note({ fn: "crash-step", phase: "end", step: event?.step, key: event?.key });
      return event;
    },
  },
  {
    // Records the task token it was handed (for .waitForTaskToken states).
    name: "crash-token",
    load: async () => async (event) => {
      note({ fn: "crash-token", key: event?.key, token: event?.taskToken });
      return {};
    },
  },
  {
    // An EventBridge target: records each event it gets.
    name: "crash-target",
    load: async () => async (event) => {
      note({ fn: "crash-target", event });
      return {};
    },
  },
];

const cloud = await startLocalCloud({
  stateDir,
  edgePort: 0,
  webPort: 0,
  kubePort: 0,
  retryIntervalScale: 0.01,
  functions,
});
console.log(`CRASH-CLOUD-READY ${JSON.stringify({ edge: cloud.endpoints.edge })}`);
process.on("SIGINT", () => void cloud.stop().then(() => process.exit(0)));
