/** Runs test/support/crash-cloud-bare.ts as a child process that a test can SIGKILL and start again. */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

export interface CrashCloud {
  edge: string;
  output(): string;
  /** SIGKILL: no shutdown hook runs, nothing is flushed. */
  kill(): Promise<void>;
}

export async function startCrashCloud(stateDir: string, recordFile: string): Promise<CrashCloud> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "--import",
      import.meta.resolve("tsx"),
      join(import.meta.dirname, "crash-cloud-bare.ts"),
      stateDir,
      recordFile,
    ],
    { env: { ...process.env, POWERTOOLS_LOG_LEVEL: "WARN" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const endpoints = await new Promise<{ edge: string }>((resolve, reject) => {
    const collect = (d: Buffer) => {
      output += d;
      const line = /^CRASH_CLOUD (.+)$/m.exec(output);
      if (line?.[1]) resolve(JSON.parse(line[1]));
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    child.once("exit", (code) =>
      reject(new Error(`the crash cloud exited (${code}) before it was ready:\n${output}`)),
    );
  });
  return {
    edge: endpoints.edge,
    output: () => output,
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}
