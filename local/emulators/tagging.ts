// The Resource Groups Tagging API (local/tagging) on a loopback port of its own, beside the local Cognito whose
// pools its index holds: both run in Cognito's emulator process, so the index has one owner.

import { createServer } from "node:http";
import { buffer } from "node:stream/consumers";
import { serveJson } from "../edge/json-protocol.js";
import { createTaggingService } from "../tagging/service.js";
import { tagIndexFor } from "../tagging/tag-index.js";
import { close, listen } from "./listen.js";
import type { RunningEmulator } from "./types.js";

/** stateDir: the local cloud's, whose `tagging/` holds the index. */
export async function startTagging(stateDir: string): Promise<RunningEmulator> {
  const service = createTaggingService(tagIndexFor(stateDir));
  const server = createServer((req, res) => {
    // serveJson answers every error itself; only a request cut off mid-body is left, and it has no one to answer.
    buffer(req).then(
      (body) => serveJson(service, req, body, res),
      () => res.destroy(),
    );
  });
  const url = await listen(server);
  return {
    signingNames: [service.signingName],
    targetPrefixes: [service.targetPrefix],
    url,
    stop: () => close(server),
  };
}
