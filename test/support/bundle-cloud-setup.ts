/**
 * Global setup of the `bundles` vitest project: builds the deployment bundles (`npm run bundle`: a fresh clone
 * has no dist/), then starts one local cloud running them in a child process (test/support/bundle-cloud.ts)
 * and provides its endpoints as `cloud`, like test/support/global-setup.ts does for the sources.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import type { Endpoints } from "../../local/cloud.js";
import type { EmbarkEndpoints } from "../../local/embark/mount.js";
import { bundleFunctions } from "../../scripts/bundle.js";

let child: ChildProcess | undefined;
let stateDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  await bundleFunctions();
  stateDir = await mkdtemp(join(tmpdir(), "embark-bundles-"));
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "bundle-cloud.ts"), stateDir],
    { env: { ...process.env, POWERTOOLS_LOG_LEVEL: "WARN" }, stdio: ["ignore", "pipe", "inherit"] },
  );
  child = proc;
  const endpoints = await new Promise<Endpoints & EmbarkEndpoints>((resolve, reject) => {
    let out = "";
    proc.stdout?.on("data", (d: Buffer) => {
      out += d;
      const line = /^EMBARK_BUNDLE_CLOUD (.+)$/m.exec(out);
      if (line?.[1]) resolve(JSON.parse(line[1]));
    });
    proc.on("exit", (code) =>
      reject(new Error(`the bundle cloud exited (${code}) before it was ready: ${out}`)),
    );
  });
  project.provide("cloud", endpoints);
}

export async function teardown(): Promise<void> {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child?.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
}
