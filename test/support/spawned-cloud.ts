/**
 * `npm start` as its own process on free ports in a fresh temporary directory, with everything it prints kept:
 * for tests that look at the cloud's output or state files (the shared test cloud runs inside vitest).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SpawnedCloud {
  dir: string;
  stateDir: string;
  endpoints: { edge: string; web: string; sesMessages: string };
  output(): string;
  stop(): Promise<void>;
}

export async function spawnCloud(env: NodeJS.ProcessEnv = {}): Promise<SpawnedCloud> {
  const dir = await mkdtemp(join(tmpdir(), "embark-spawned-"));
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", import.meta.resolve("tsx"), join(process.cwd(), "local/main.ts"), "--fresh"],
    {
      cwd: dir,
      env: { ...process.env, EMBARK_EDGE_PORT: "0", EMBARK_WEB_PORT: "0", EMBARK_KUBE_PORT: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const stop = async () => {
    child.kill("SIGINT");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 100_000;
  while (!output.includes("Press Ctrl-C to stop.") && Date.now() < deadline) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!output.includes("Press Ctrl-C to stop.")) {
    await stop();
    throw new Error(`npm start did not come up:\n${output}`);
  }
  const stateDir = join(dir, ".local");
  const endpoints = JSON.parse(await readFile(join(stateDir, "endpoints.json"), "utf8"));
  return { dir, stateDir, endpoints, output: () => output, stop };
}
