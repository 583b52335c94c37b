import { rm } from "node:fs/promises";
import type { TestProject } from "vitest/node";
import type { Endpoints, LocalCloud } from "../../local/cloud.js";
import type { EmbarkEndpoints } from "../../local/embark/mount.js";
import { buildOpsCli } from "./ops-cli-bundle.js";
import { startTestCloud } from "./test-cloud.js";
import { testWiring } from "./test-wiring.js";

let cloud: LocalCloud | undefined;
let stateDir: string | undefined;

/** Starts one local cloud on free ports for the whole test run, in fresh state. */
export async function setup(project: TestProject): Promise<void> {
  // Functions run inside this process: keep their INFO lines out of the test report.
  process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";
  // Every suite signs up from 127.0.0.1: the shared cloud still counts each signup (the limiter's write runs) but
  // far above what the suites need. test/e2e/rate-limits.test.ts runs a cloud of its own with tight limits.
  process.env.EMBARK_SIGNUP_LIMIT_PER_IP ??= "100000/3600";
  process.env.EMBARK_SIGNUP_LIMIT_PER_EMAIL_DOMAIN ??= "100000/3600";
  await buildOpsCli();
  ({ cloud, stateDir } = await startTestCloud("test", { wire: testWiring }));
  project.provide("cloud", cloud.endpoints as Endpoints & EmbarkEndpoints);
}

export async function teardown(): Promise<void> {
  await cloud?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
}
