// local-aws-sqs: SQS (JSON and query protocols), in memory. Queues are re-created by the wiring at boot.
import { createServer } from "node:http";
import { createRequestHandler } from "local-aws-sqs";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "../aws/constants.js";
import { close, listen } from "./listen.js";
import type { RunningEmulator } from "./types.js";

export async function startSqs(edgePort: number): Promise<RunningEmulator> {
  const { requestHandler } = createRequestHandler({
    // Queue URLs are minted with this host/port: point them at the edge, not at this private listener.
    port: edgePort,
    hostname: "127.0.0.1",
    accountId: LOCAL_ACCOUNT_ID,
    region: LOCAL_REGION,
    // AWS makes you wait 60 s after deleting a queue before re-creating it; tests and restarts should not.
    emulateQueueCreationLifecycle: false,
  });
  const server = createServer(requestHandler);
  const url = await listen(server);
  return { signingNames: ["sqs"], targetPrefixes: ["AmazonSQS"], url, stop: () => close(server) };
}
