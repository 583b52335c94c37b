import type { FunctionRegistry } from "./lambda/registry.js";

/** What every local service gets: where state lives, how to reach the edge, and the local functions. */
export interface LocalContext {
  /** Directory for this service's persistent state (under .local/). */
  stateDir: string;
  /** http://127.0.0.1:<edge port>; services call each other through it with the real AWS SDK. */
  edgeUrl: string;
  region: string;
  accountId: string;
  functions: FunctionRegistry;
}
