// aws-ses-v2-local: SES v1 SendEmail/SendRawEmail and the v2 API. Any other v1 action hangs (callers set timeouts).
// Sent mail is readable at GET <url>/store and cleared with POST <url>/clear-store.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import sesModule from "aws-ses-v2-local";
import { close } from "./listen.js";
import type { RunningEmulator } from "./types.js";

type StartSes = (config?: { host?: string; port?: number }) => Promise<Server>;

export async function startSes(): Promise<RunningEmulator> {
  // The package is CJS with an ESM-style default export: unwrap whichever shape the loader gives us.
  const mod = sesModule as unknown as StartSes | { default: StartSes };
  const start = typeof mod === "function" ? mod : mod.default;
  const server = await start({ host: "127.0.0.1", port: 0 });
  const { port } = server.address() as AddressInfo;
  return { signingNames: ["ses", "email"], url: `http://127.0.0.1:${port}`, stop: () => close(server) };
}
