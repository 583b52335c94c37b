/**
 * Runs one packaged emulator in a process of its own (started by in-child.ts), so its CPU (request parsing,
 * validation, LevelDB, JSON state files) runs on the machine's other core instead of the edge's main thread.
 * argv: <name> <stateDir> [args...]. Tells the parent where it listens, then lives exactly as long as the parent:
 * a "stop" message closes it cleanly, and a parent that dies (even by kill -9) closes the IPC channel, which ends it.
 */
import { dirname, join } from "node:path";
import { startKubeApi } from "../k8s/server.js";
import { startCognito } from "./cognito.js";
import { startDynamoDb } from "./dynamodb.js";
import { startTagging } from "./tagging.js";
import type { RunningEmulator } from "./types.js";

/** What each child runs; stateDir is the emulator's own directory under the local cloud's. */
export const CHILD_EMULATORS = {
  dynamodb: async (stateDir: string) => [await startDynamoDb(stateDir)],
  // The tag index follows the pools, so the Tagging API lives where Cognito writes it.
  cognito: async (stateDir: string, issuerDomain = "") => [
    await startCognito(stateDir, issuerDomain),
    await startTagging(dirname(stateDir)),
  ],
  // Not an AWS service: clients reach it by its own URL (the kubeconfig), never through the edge.
  kubernetes: async (stateDir: string, port = "0") => {
    const api = await startKubeApi({ port: Number(port), stateFile: join(dirname(stateDir), "k8s.json") });
    const emulator: RunningEmulator = { ...api, signingNames: [] };
    return [emulator];
  },
} satisfies Record<string, (stateDir: string, ...args: string[]) => Promise<RunningEmulator[]>>;

export type ChildEmulatorName = keyof typeof CHILD_EMULATORS;

/** What the child sends once it listens: one entry per emulator. */
export type ChildReady = Array<Pick<RunningEmulator, "url" | "signingNames" | "targetPrefixes">>;

async function main(): Promise<void> {
  const [name, stateDir, ...args] = process.argv.slice(2) as [ChildEmulatorName, string, ...string[]];
  // The parent owns our lifetime: a Ctrl-C sent to the whole process group must not stop us while it drains.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => {});
  const emulators = await CHILD_EMULATORS[name](stateDir, ...args);
  const stop = async () => {
    await Promise.all(emulators.map((e) => e.stop()));
    process.exit(0);
  };
  process.on("message", (m) => {
    if (m === "stop") void stop();
  });
  process.on("disconnect", () => process.exit(0));
  if (!process.connected) process.exit(0);
  const ready: ChildReady = emulators.map(({ url, signingNames, targetPrefixes }) => ({
    url,
    signingNames,
    targetPrefixes,
  }));
  process.send?.(ready);
}

if (process.send) {
  main().catch((err) => {
    console.error(`[emulator ${process.argv[2]}] failed to start:`, err);
    process.exit(1);
  });
}
