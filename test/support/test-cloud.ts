/**
 * A local cloud for a test run or a benchmark: in a fresh temporary state dir, on free ports, with short retry
 * intervals and pipeline runs, so every suite and script starts it the same way.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CloudOptions, type LocalCloud, startLocalCloud } from "../../local/cloud.js";

export interface TestCloud {
  cloud: LocalCloud;
  stateDir: string;
}

/** `prefix` names the temporary dir (embark-<prefix>-…); `opts` override the test defaults. */
export async function startTestCloud(prefix: string, opts: CloudOptions = {}): Promise<TestCloud> {
  const stateDir = opts.stateDir ?? (await mkdtemp(join(tmpdir(), `embark-${prefix}-`)));
  const cloud = await startLocalCloud({
    edgePort: 0,
    webPort: 0,
    kubePort: 0,
    retryIntervalScale: 0.01,
    pipelineDurationMs: 300,
    ...opts,
    stateDir,
  });
  return { cloud, stateDir };
}
