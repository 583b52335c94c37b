// dynalite: DynamoDB on LevelDB. Gaps (see README): no TransactWriteItems/TransactGetItems, no TTL, no Streams, no PartiQL.
import { mkdir } from "node:fs/promises";
import type { Server } from "node:http";
import dynalite from "dynalite";
import { close, listen } from "./listen.js";
import type { RunningEmulator } from "./types.js";

export async function startDynamoDb(stateDir: string): Promise<RunningEmulator> {
  await mkdir(stateDir, { recursive: true });
  const server = dynalite({ path: stateDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server;
  const url = await listen(server);
  return {
    signingNames: ["dynamodb"],
    targetPrefixes: ["DynamoDB_20120810"],
    url,
    stop: () => close(server),
  };
}
