import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { userPoolArn } from "../../../local/cognito/additions.js";
import { backfillPoolTags } from "../../../local/cognito/pool-tag-backfill.js";
import { TagIndex } from "../../../local/tagging/tag-index.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pool-tags-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const pool = (id: string, tags?: Record<string, string>) =>
  writeFile(join(dir, `${id}.json`), JSON.stringify({ Users: {}, Options: { Id: id, UserPoolTags: tags } }));

it("indexes a tagged pool the index lost to a kill after cognito-local wrote it, so the retry finds it", async () => {
  // Seen in the crash test: the pool's file was on disk, its tags.jsonl line was not; a second pool followed.
  await pool("local_lost", { "embark:tenant-id": "t-1" });
  await pool("local_known", { "embark:tenant-id": "t-2" });
  await pool("local_untagged");
  await writeFile(join(dir, "clients.json"), JSON.stringify({ Clients: {} }));
  await writeFile(join(dir, "local_torn.json"), '{"Options":{"Id":"local_to');
  const index = new TagIndex();
  index.set(userPoolArn("local_known"), { "embark:tenant-id": "t-2" });

  expect(await backfillPoolTags(dir, index)).toEqual(["local_lost"]);
  expect(index.find([{ key: "embark:tenant-id", values: ["t-1"] }])).toEqual([userPoolArn("local_lost")]);
  expect(index.find([{ key: "embark:tenant-id", values: ["t-2"] }])).toEqual([userPoolArn("local_known")]);
  expect(await backfillPoolTags(dir, index)).toEqual([]);
});

it("leaves the index alone when there is no pool directory yet", async () => {
  const index = new TagIndex();
  expect(await backfillPoolTags(join(dir, "missing"), index)).toEqual([]);
  expect(index.find([])).toEqual([]);
});
