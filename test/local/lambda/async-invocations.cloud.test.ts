/**
 * Async (Event) invocations accepted with a 202 survive a SIGKILL of the local cloud: one cut off while it
 * ran and one waiting for its retry both run after a restart on the same state directory
 * (test/support/crash-cloud-bare.ts serves the fixture functions; real Lambda client over HTTP).
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localClientConfig } from "../../../local/aws/client-config.js";
import { type CrashCloud, startCrashCloud } from "../../support/crash-cloud-process.js";

let dir: string;
let recordFile: string;
const clouds: CrashCloud[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lambda-async-crash-"));
  recordFile = join(dir, "record.jsonl");
});

afterAll(async () => {
  for (const c of clouds) await c.kill();
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  fn: string;
  event: { n: number };
  note: string;
  pid: number;
}

async function runs(): Promise<Run[]> {
  const text = await readFile(recordFile, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Run);
}

async function until(check: (r: Run[]) => boolean): Promise<Run[]> {
  const deadline = Date.now() + 30_000;
  let seen = await runs();
  while (!check(seen) && Date.now() < deadline) {
    await sleep(100);
    seen = await runs();
  }
  return seen;
}

describe("Lambda async invocations across a SIGKILL", () => {
  it("runs after a restart what was accepted before the kill: an attempt cut short, a retry pending", async () => {
    const first = await startCrashCloud(join(dir, "state"), recordFile);
    clouds.push(first);
    const lambda = new LambdaClient({ ...localClientConfig(first.edge), maxAttempts: 1 });
    const event = async (FunctionName: string, n: number) => {
      const out = await lambda.send(
        new InvokeCommand({ FunctionName, InvocationType: "Event", Payload: JSON.stringify({ n }) }),
      );
      expect(out.StatusCode).toBe(202);
    };
    await event("crash-hang", 1);
    await event("crash-flaky", 2);
    // crash-flaky failed once and waits 1 s for its retry; crash-hang is still running: kill now.
    await until((r) => r.some((x) => x.fn === "crash-flaky" && x.note === "failed"));
    await first.kill();
    lambda.destroy();
    const before = await runs();
    expect(before.filter((r) => r.note === "ran")).toEqual([]);

    await writeFile(`${recordFile}.gate`, "open");
    const second = await startCrashCloud(join(dir, "state"), recordFile);
    clouds.push(second);
    const after = await until((r) => r.filter((x) => x.note === "ran").length >= 2);
    const ran = after.filter((r) => r.note === "ran");
    expect(ran.map((r) => `${r.fn}:${r.event.n}`).sort()).toEqual(["crash-flaky:2", "crash-hang:1"]);
    // They ran in the restarted process, not the killed one.
    for (const r of ran) expect(r.pid).not.toBe(before[0]?.pid);
  }, 240_000); // two local cloud start-ups; slow on a loaded 2-core machine
});
