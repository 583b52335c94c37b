import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

/**
 * The execArgv a worker thread or child process needs to load our TypeScript: the host's own under tsx
 * (`npm start`, `node --import tsx`), else the host's plus tsx's loader (vitest's global setup runs without it).
 */
export function tsxExecArgv(): string[] {
  if (process.execArgv.some((a) => a.includes("tsx"))) return process.execArgv;
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return [...process.execArgv, "--import", tsx];
}
