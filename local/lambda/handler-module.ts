/** Where a function's handler lives, in a form any thread can import: a module URL and the export's name. */
import type { Context } from "aws-lambda";

// biome-ignore lint/suspicious/noExplicitAny: handlers take any AWS event shape
export type LambdaHandler = (event: any, context: Context) => Promise<unknown>;

export interface HandlerModule {
  /** A `file:` URL: a TypeScript source (loaded through tsx) or a deployment bundle's index.mjs. */
  url: string;
  exportName: string;
}

/** Imports the module and returns the handler, or fails as Lambda does when the export is missing. */
export async function importHandler(module: HandlerModule): Promise<LambdaHandler> {
  const mod = (await import(module.url)) as Record<string, unknown>;
  const handler = mod[module.exportName];
  if (typeof handler !== "function") {
    // What Lambda answers when the handler export is missing (Runtime.HandlerNotFound).
    const err = new Error(`index.${module.exportName} is undefined or not exported`);
    err.name = "Runtime.HandlerNotFound";
    throw err;
  }
  return handler as LambdaHandler;
}
