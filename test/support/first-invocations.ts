/**
 * Wraps the functions registered in a local cloud to record, per function, its first invocation as a caller
 * sees a cold start: the time to load its code (import) and the whole first call (load + handler). Optionally
 * writes the record to a JSON file after each first call, for a test in another process to read.
 */
import { rename, writeFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import type { LocalCloud } from "../../local/cloud.js";

export interface FirstInvocation {
  loadMs: number;
  firstInvocationMs: number;
  failed: boolean;
}

export function recordFirstInvocations(cloud: LocalCloud, file?: string): Map<string, FirstInvocation> {
  const seen = new Map<string, FirstInvocation>();
  for (const def of cloud.functions.list()) {
    cloud.functions.register({
      ...def,
      load: async () => {
        const t0 = performance.now();
        const handler = await def.load();
        const loadMs = performance.now() - t0;
        let first = true;
        return async (event, context) => {
          if (!first) return handler(event, context);
          first = false;
          let failed = false;
          try {
            return await handler(event, context);
          } catch (err) {
            failed = true;
            throw err;
          } finally {
            seen.set(def.name, { loadMs, firstInvocationMs: performance.now() - t0, failed });
            // Whole or not at all: the test reads the file while other functions still start.
            if (file) {
              const tmp = `${file}.${def.name}.tmp`;
              await writeFile(tmp, JSON.stringify(Object.fromEntries(seen)));
              await rename(tmp, file);
            }
          }
        };
      },
    });
  }
  return seen;
}
