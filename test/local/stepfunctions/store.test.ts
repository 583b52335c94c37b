// SfnStore: executions on disk, read back on demand; start-up keeps whole only what is RUNNING or has events
// to send, and takes the others' summaries from execution-index.jsonl while it still matches their files.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendEvent } from "../../../local/stepfunctions/history.js";
import type { ExecutionRecord, ExecutionStatus } from "../../../local/stepfunctions/model.js";
import { executionFileId, SfnStore } from "../../../local/stepfunctions/store.js";

const MACHINE = "arn:aws:states:us-east-1:000000000000:stateMachine:m";

function record(name: string, status: ExecutionStatus): ExecutionRecord {
  const rec: ExecutionRecord = {
    executionArn: `arn:aws:states:us-east-1:000000000000:execution:m:${name}`,
    stateMachineArn: MACHINE,
    name,
    status,
    input: "{}",
    startDate: 1_000_000,
    stopDate: status === "RUNNING" ? undefined : 1_000_500,
    redriveCount: 0,
    roleArn: "arn:aws:iam::000000000000:role/r",
    definition: "{}",
    taskTokens: [],
    history: [],
  };
  appendEvent(rec, "ExecutionStarted", { input: "{}" });
  if (status !== "RUNNING") appendEvent(rec, "ExecutionSucceeded", { output: "{}" });
  return rec;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "embark-sfn-store-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function saved(...recs: ExecutionRecord[]): Promise<void> {
  const store = new SfnStore(dir);
  await store.load();
  for (const rec of recs) store.saveExecution(rec);
  await store.sync();
}

const indexLines = async () =>
  (await readFile(join(dir, "execution-index.jsonl"), "utf8")).split("\n").filter(Boolean);

describe("SfnStore", () => {
  it("loads RUNNING executions and those with events to send whole, the others as summaries", async () => {
    const running = record("running", "RUNNING");
    const done = record("done", "SUCCEEDED");
    const unsent = record("unsent", "FAILED");
    unsent.pendingEvents = [{ time: 1, detail: { status: "FAILED" } }];
    await saved(running, done, unsent);

    const store = new SfnStore(dir);
    const loaded = await store.load();
    expect(loaded.open.map((r) => r.name).sort()).toEqual(["running", "unsent"]);
    expect(loaded.closed).toEqual([
      {
        executionArn: done.executionArn,
        stateMachineArn: MACHINE,
        name: "done",
        status: "SUCCEEDED",
        startDate: 1_000_000,
        stopDate: 1_000_500,
        redriveCount: 0,
      },
    ]);
    // Read from its file on demand, history included.
    expect(await store.readExecution(done.executionArn)).toEqual(JSON.parse(JSON.stringify(done)));
    expect(await store.readExecution(`${done.executionArn}-missing`)).toBeUndefined();
  });

  it("parses a file its index line no longer matches (rewritten after the line, as a crash can leave it)", async () => {
    const done = record("done", "SUCCEEDED");
    await saved(done);
    // The file says RUNNING again (a redrive written, its line lost): the file wins.
    const file = join(dir, "executions", `${executionFileId(done.executionArn)}.json`);
    await writeFile(file, JSON.stringify({ ...done, status: "RUNNING", stopDate: undefined }));
    const loaded = await new SfnStore(dir).load();
    expect(loaded.open.map((r) => [r.name, r.status])).toEqual([["done", "RUNNING"]]);
    expect(loaded.closed).toEqual([]);
  });

  it("indexes finished executions only, and compacts the index to one line per file at start", async () => {
    const done = record("done", "SUCCEEDED");
    const running = record("running", "RUNNING");
    const store = new SfnStore(dir);
    await store.load();
    for (let i = 0; i < 3; i++) {
      done.redriveCount = i;
      store.saveExecution(done);
      store.saveExecution(running);
      await store.sync();
    }
    expect(await indexLines()).toHaveLength(3);
    const loaded = await new SfnStore(dir).load();
    expect(loaded.closed.map((s) => s.redriveCount)).toEqual([2]);
    expect(loaded.open.map((r) => r.name)).toEqual(["running"]);
    expect(await indexLines()).toHaveLength(1);
    expect((await readdir(join(dir, "executions"))).filter((f) => f.endsWith(".json"))).toHaveLength(2);
  });

  it("reads back the record itself while its write is pending", async () => {
    const store = new SfnStore(dir);
    await store.load();
    const done = record("done", "SUCCEEDED");
    store.saveExecution(done);
    expect(await store.readExecution(done.executionArn)).toBe(done);
    await store.sync();
    const fromDisk = await store.readExecution(done.executionArn);
    expect(fromDisk).not.toBe(done);
    expect(fromDisk).toEqual(JSON.parse(JSON.stringify(done)));
  });
});
