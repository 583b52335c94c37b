/**
 * Records, per function of a local cloud, its first invocation as a caller sees a cold start: the time to load
 * its code (the init: import, in this thread or in a worker) and the whole first call (init + handler), from
 * the registry's invocation reports. Optionally writes the record to a JSON file after each first call, for a
 * test in another process to read.
 */
import { rename, writeFile } from "node:fs/promises";
import type { LocalCloud } from "../../local/cloud.js";

export interface FirstInvocation {
  loadMs: number;
  firstInvocationMs: number;
  failed: boolean;
}

export function recordFirstInvocations(cloud: LocalCloud, file?: string): Map<string, FirstInvocation> {
  const seen = new Map<string, FirstInvocation>();
  let writes = Promise.resolve();
  cloud.functions.onReport((r) => {
    if (r.initMs === undefined || seen.has(r.functionName)) return;
    seen.set(r.functionName, { loadMs: r.initMs, firstInvocationMs: r.durationMs, failed: r.failed });
    if (!file) return;
    // Whole or not at all, one write at a time: the test reads the file while other functions still start.
    const json = JSON.stringify(Object.fromEntries(seen));
    writes = writes
      .then(async () => {
        const tmp = `${file}.tmp`;
        await writeFile(tmp, json);
        await rename(tmp, file);
      })
      .catch((err) => console.error(`[first-invocations] could not write ${file}:`, err));
  });
  return seen;
}
