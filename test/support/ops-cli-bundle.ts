/**
 * The ops CLI bundled once per test run (the cloud project's global setup) with the functions' esbuild options:
 * a bundle starts in about a third of the time `tsx` takes to load the sources, and the suites start dozens of
 * CLI processes.
 */
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { sstBuildOptions } from "../../scripts/bundle.js";

const ROOT = resolve(import.meta.dirname, "../..");
export const OPS_CLI_BUNDLE = join(ROOT, "dist/test/ops-cli.mjs");

/** Bundles ops/cli/main.ts from the current sources into OPS_CLI_BUNDLE (a second or two). */
export async function buildOpsCli(): Promise<void> {
  await build({ ...sstBuildOptions(join(ROOT, "ops/cli/main.ts"), OPS_CLI_BUNDLE), metafile: false });
}
