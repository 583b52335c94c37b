/**
 * Async (Event) invocations accepted with a 202 survive a SIGKILL of the local cloud: one cut off while it
 * ran and one waiting for its retry both run after a restart on the same state directory
 * (test/support/cloud-child.ts serves the fixture functions; real Lambda client over HTTP).
 */
import { writeFile } from "node:fs/promises";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localClientConfig } from "../../../local/aws/client-config.js";
import { CloudProcess } from "../../support/cloud-process.js";

let cloud: CloudProcess;

beforeAll(async () => {
  cloud = await CloudProcess.create({ program: "fixtures" });
});

afterAll(async () => {
  await cloud?.dispose();
});

interface Run {
  fn: string;
  event: { n: number };
  note: string;
  pid: number;
}

const runs = async () => (await cloud.sideEffects()) as unknown as Run[];

/** The records once `check` holds them (or as they are after 30 s, for the assertions to name). */
async function until(check: (r: Run[]) => boolean): Promise<Run[]> {
  return cloud
    .until("the records", async () => {
      const seen = await runs();
      return check(seen) ? seen : undefined;
    })
    .catch(runs);
}

describe("Lambda async invocations across a SIGKILL", () => {
  it("runs after a restart what was accepted before the kill: an attempt cut short, a retry pending", async () => {
    const { edge } = await cloud.start();
    const lambda = new LambdaClient({ ...localClientConfig(edge), maxAttempts: 1 });
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
    await cloud.kill();
    lambda.destroy();
    const before = await runs();
    expect(before.filter((r) => r.note === "ran")).toEqual([]);

    await writeFile(`${cloud.sideEffectsFile}.gate`, "open");
    await cloud.start();
    const after = await until((r) => r.filter((x) => x.note === "ran").length >= 2);
    const ran = after.filter((r) => r.note === "ran");
    expect(ran.map((r) => `${r.fn}:${r.event.n}`).sort()).toEqual(["crash-flaky:2", "crash-hang:1"]);
    // They ran in the restarted process, not the killed one.
    for (const r of ran) expect(r.pid).not.toBe(before[0]?.pid);
  }, 240_000); // two local cloud start-ups; slow on a loaded 2-core machine
});
