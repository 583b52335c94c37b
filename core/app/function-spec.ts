/**
 * How a function is described in the app manifest. Each function is the module `functions/<name>.ts` with an
 * exported `handler`, on AWS (SST) and in the local cloud alike.
 */
import type { z } from "zod";
import type { Access } from "./access.js";
import type { SecretKey } from "./resources.js";

export interface FunctionSpec {
  description: string;
  timeoutSeconds: number;
  memoryMB?: number;
  /** What its code may call (IAM on AWS). */
  access: readonly Access[];
  /** Secrets only this function gets. */
  secrets?: readonly SecretKey[];
  /** A service that invokes it directly (a Cognito trigger): its resource policy lets that service in. */
  invokedBy?: "cognito-idp";
}

/** A function that runs one step of a state machine: its Task's payload is `input`. */
export interface StepFunctionSpec<I = unknown> extends FunctionSpec {
  name: string;
  input: z.ZodType<I>;
  /** Powertools idempotency: JMESPath into the input that names "the same step" (its result is replayed). */
  idempotencyKey?: string;
}

/** `functions/<name>.ts`, relative to the repository root. */
export const functionModule = (name: string) => `functions/${name}.ts`;
/** The handler as SST and Lambda name it: `functions/<name>.handler`. */
export const functionHandler = (name: string) => `functions/${name}.handler`;
/** The export Lambda calls: what follows the handler's last dot. */
export const functionHandlerExport = (name: string) => functionHandler(name).split(".").pop() ?? "handler";
/** Where `npm run bundle` writes each function's deployment bundle: `<BUNDLES_DIR>/<name>/index.mjs`. */
export const BUNDLES_DIR = "dist/functions";

/** The manifest entry of a step's function. */
export function stepFunctionEntry(spec: StepFunctionSpec): [string, FunctionSpec] {
  const { name: _name, input: _input, idempotencyKey: _key, ...fn } = spec;
  return [spec.name, fn];
}
