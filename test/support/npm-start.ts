/** What `npm start` runs (`local/main.ts --fresh`), as a child process in a directory of the caller's. */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";

export interface StartedLocalCloud {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** Polls the output until it matches `pattern`; false if the process exits or `timeoutMs` passes first. */
  waitForOutput(pattern: string | RegExp, timeoutMs: number): Promise<boolean>;
}

/**
 * Starts `local/main.ts --fresh` with state in `cwd`, on free ports of its own (edge, web and Kubernetes API:
 * a developer's running `npm start` is not disturbed), with `env` added to this process's environment.
 */
export function startLocalMain(cwd: string, env: NodeJS.ProcessEnv = {}): StartedLocalCloud {
  const child = spawn(
    process.execPath,
    ["--import", import.meta.resolve("tsx"), join(process.cwd(), "local/main.ts"), "--fresh"],
    {
      cwd,
      env: { ...process.env, EMBARK_EDGE_PORT: "0", EMBARK_WEB_PORT: "0", EMBARK_KUBE_PORT: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const collect = (d: Buffer) => {
    output += d;
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const matches = (pattern: string | RegExp) =>
    typeof pattern === "string" ? output.includes(pattern) : pattern.test(output);
  return {
    child,
    output: () => output,
    exited,
    async waitForOutput(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!matches(pattern)) {
        if (child.exitCode !== null || Date.now() > deadline) return false;
        await sleep(20);
      }
      return true;
    },
  };
}
