/**
 * Emulators in child processes: DynamoDB's data is there after a restart on the same state directory, a child
 * left behind by an earlier start is waited for (or killed) before its LevelDB is opened again, and a parent
 * killed with SIGKILL takes its emulator child with it.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterEach, expect, it } from "vitest";
import { untilTableActive } from "../../../local/aws/table-active.js";
import { startEmulatorProcess } from "../../../local/emulators/in-child.js";
import type { RunningEmulator } from "../../../local/emulators/types.js";
import { isAlive } from "../../../local/process/proc.js";
import { tsxExecArgv } from "../../../local/process/tsx-exec-argv.js";
import { waitFor } from "../../support/wait.js";

const running: RunningEmulator[][] = [];
afterEach(async () => {
  for (const emulators of running.splice(0)) await emulators[0]?.stop();
});

const start = async (dir: string) => {
  const emulators = await startEmulatorProcess("dynamodb", dir);
  running.push(emulators);
  return emulators[0]!;
};
const ddb = (url: string) =>
  new DynamoDBClient({
    endpoint: url,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
const pidOf = async (dir: string) => Number(await readFile(join(dir, "emulator.pid"), "utf8"));

it("keeps DynamoDB's items across a restart, after waiting out the child an earlier start left running", async () => {
  const dir = await mkdtemp(join(tmpdir(), "embark-in-child-"));
  const first = await start(dir);
  expect(first.signingNames).toEqual(["dynamodb"]);
  await ddb(first.url).send(
    new CreateTableCommand({
      TableName: "items",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  await untilTableActive(ddb(first.url), "items");
  await ddb(first.url).send(new PutItemCommand({ TableName: "items", Item: { pk: { S: "kept" } } }));
  const leftover = await pidOf(dir);

  // Not stopped: the first child still holds the LevelDB lock when the second start comes.
  const second = await start(dir);
  // Killed (it is reaped a moment later: until then a zombie still answers signal 0).
  await waitFor("the leftover child to be reaped", async () => (isAlive(leftover) ? undefined : true), {
    intervalMs: 20,
  });
  expect(second.url).not.toBe(first.url);
  const got = await ddb(second.url).send(
    new GetItemCommand({ TableName: "items", Key: { pk: { S: "kept" } } }),
  );
  expect(got.Item?.pk?.S).toBe("kept");
});

it("ends the emulator child when its parent is killed with SIGKILL", async () => {
  const dir = await mkdtemp(join(tmpdir(), "embark-in-child-"));
  const script = `
    const { startEmulatorProcess } = await import(${JSON.stringify(new URL("../../../local/emulators/in-child.ts", import.meta.url).href)});
    await startEmulatorProcess("dynamodb", ${JSON.stringify(dir)});
    console.log("ready");
    setInterval(() => {}, 1000);`;
  const entry = join(dir, "parent.mts");
  await writeFile(entry, script);
  const parent = spawn(process.execPath, [...tsxExecArgv(), entry], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve) =>
    parent.stdout.on("data", (d) => String(d).includes("ready") && resolve()),
  );
  const child = await pidOf(dir);
  expect(isAlive(child)).toBe(true);

  parent.kill("SIGKILL");
  await waitFor("the emulator child to exit", async () => (isAlive(child) ? undefined : true), {
    intervalMs: 20,
  });
  expect(isAlive(child)).toBe(false);
});
