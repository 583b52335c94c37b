/**
 * Runs functions from their deployment bundles (`npm run bundle`: dist/functions/<name>/index.mjs) instead of
 * their TypeScript sources, as close to the Lambda Node.js runtime as one process allows:
 * - each function gets its own task root, a copy of its bundle dir (without source maps, which SST keeps out
 *   of the zip) in a scratch dir outside the repository, so a bare `require`/`import` the bundle left external
 *   finds no node_modules to fall back on, and a package that reads files beside itself finds only what the zip
 *   has (`__dirname` is the task root, as /var/task is on AWS);
 * - each function's module is its own file, so it is a fresh module instance with its own module state, and is
 *   imported on first invocation (a cold start);
 * - the handler is the export the stack names (`functions/<name>.handler` → `handler`).
 * - in the Lambda runner's worker threads (worker-pool.ts), each worker imports the bundle itself: one module
 *   instance per worker, as each Lambda execution environment has its own.
 * Gaps: one process, so `LAMBDA_TASK_ROOT`, the working directory and `process.env` are shared by all
 * functions (Lambda gives each its own); the AWS SDK preinstalled in Lambda's /var/runtime is absent (SST
 * bundles the SDK, so nothing should need it).
 */
import { cp, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type HandlerModule, importHandler } from "./handler-module.js";
import type { LambdaHandler } from "./registry.js";

/** Which code the local cloud runs: `source` (tsx, the default) or `bundle` (EMBARK_LAMBDA_CODE=bundle). */
export type LambdaCode = "source" | "bundle";

export function lambdaCodeFromEnv(env: NodeJS.ProcessEnv = process.env): LambdaCode {
  const v = env.EMBARK_LAMBDA_CODE ?? "source";
  if (v !== "source" && v !== "bundle") {
    throw new Error(`EMBARK_LAMBDA_CODE must be "source" or "bundle", not ${JSON.stringify(v)}`);
  }
  return v;
}

export const BUNDLE_FILE = "index.mjs";

export interface TaskRoots {
  /** A loader for one function: imports its bundle from its task root on first call. */
  loader(name: string, handlerExport: string): () => Promise<LambdaHandler>;
  /** The function's bundle in its task root, for a worker thread to import. */
  module(name: string, handlerExport: string): HandlerModule;
  /** The function's task root (its copy of the bundle dir). */
  taskRoot(name: string): string;
  /** Removes the task roots. */
  remove(): Promise<void>;
}

/**
 * Copies each function's bundle dir (`bundlesDir/<name>/`) into a task root of its own under a fresh scratch
 * dir. Fails, naming the command to run, when a bundle is missing.
 */
export async function stageTaskRoots(bundlesDir: string, names: readonly string[]): Promise<TaskRoots> {
  const missing: string[] = [];
  for (const name of names) {
    const ok = await stat(join(bundlesDir, name, BUNDLE_FILE)).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!ok) missing.push(name);
  }
  if (missing.length > 0) {
    throw new Error(
      `no bundle for ${missing.join(", ")} in ${bundlesDir}: run \`npm run bundle\` first (EMBARK_LAMBDA_CODE=bundle)`,
    );
  }
  const scratch = await mkdtemp(join(tmpdir(), "embark-task-roots-"));
  const roots = new Map<string, string>();
  for (const name of names) {
    const root = join(scratch, name);
    await cp(join(bundlesDir, name), root, { recursive: true, filter: (src) => !src.endsWith(".map") });
    roots.set(name, root);
  }
  const taskRoot = (name: string) => {
    const root = roots.get(name);
    if (!root) throw new Error(`no task root staged for ${name}`);
    return root;
  };
  const module = (name: string, exportName: string): HandlerModule => ({
    url: pathToFileURL(join(taskRoot(name), BUNDLE_FILE)).href,
    exportName,
  });
  return {
    taskRoot,
    module,
    loader: (name, handlerExport) => () => importHandler(module(name, handlerExport)),
    remove: () => rm(scratch, { recursive: true, force: true }),
  };
}

/** The files of a staged task root (what the function's zip would hold). */
export async function taskRootFiles(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true })).sort();
}
