/**
 * At start, puts in the tag index (local/tagging) every pool on disk it does not know: a kill between
 * cognito-local writing a new pool's file and the index's append (local/cognito/additions.ts) left a pool that
 * exists, tagged, but that GetResources did not find, and the next CreateUserPool attempt made a second one. On
 * AWS the tags are part of CreateUserPool. Also covers pools of state directories older than the index.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { TagIndex } from "../tagging/tag-index.js";
import { userPoolArn } from "./additions.js";

/** Pools added to the index (their ids). A file that cannot be read is left to cognito-local's own load. */
export async function backfillPoolTags(dataDir: string, index: TagIndex): Promise<string[]> {
  const added: string[] = [];
  const files = (await readdir(dataDir).catch(() => [] as string[])).filter(
    (f) => f.endsWith(".json") && f !== "clients.json" && !f.startsWith("."),
  );
  for (const file of files) {
    // A pool is named after its file: one the index knows is not read (5,000 files took 1.5 s of each start).
    if (index.tagsOf(userPoolArn(file.slice(0, -".json".length))) !== undefined) continue;
    try {
      const pool = JSON.parse(await readFile(join(dataDir, file), "utf8")) as {
        Options?: { Id?: string; UserPoolTags?: Record<string, string> };
      };
      const id = pool.Options?.Id;
      const tags = pool.Options?.UserPoolTags ?? {};
      // GetResources lists tagged resources only.
      if (!id || Object.keys(tags).length === 0 || index.tagsOf(userPoolArn(id)) !== undefined) continue;
      index.set(userPoolArn(id), tags);
      added.push(id);
    } catch {
      // Not a pool file, or torn: nothing to index.
    }
  }
  return added;
}
