/**
 * The local cloud as a child process (test/support/crash-cloud-main.ts) that tests kill with SIGKILL at a moment
 * of their choosing and start again on the same state directory, as `kill -9` and a restart of `npm start` would.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface CrashCloud {
  /** The edge of the running incarnation (it changes at each start: ports are picked afresh). */
  edge: string;
  stateDir: string;
  /** Lines the fixture functions wrote, parsed. */
  sideEffects(): Promise<Array<Record<string, unknown>>>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  /** Starts a new incarnation on the same state directory. */
  start(): Promise<void>;
  output(): string;
  /** Polls `check` until it gives a value; on timeout throws with `what` and the cloud's last output. */
  until<T>(what: string, check: () => Promise<T | undefined>, ms?: number): Promise<T>;
  /** Kills the child and removes the directory. */
  dispose(): Promise<void>;
}

export async function crashCloud(): Promise<CrashCloud> {
  const dir = await mkdtemp(join(tmpdir(), "embark-crash-"));
  const stateDir = join(dir, "state");
  const sideEffectsFile = join(dir, "side-effects.jsonl");
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = "";
  const cloud: CrashCloud = {
    edge: "",
    stateDir,
    async sideEffects() {
      const text = await readFile(sideEffectsFile, "utf8").catch(() => "");
      return text
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l));
    },
    async kill() {
      child?.kill("SIGKILL");
      await exited;
      child = undefined;
    },
    async start() {
      const proc = spawn(
        process.execPath,
        [
          "--import",
          import.meta.resolve("tsx"),
          join(process.cwd(), "test/support/crash-cloud-main.ts"),
          stateDir,
          sideEffectsFile,
        ],
        { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
      );
      child = proc;
      exited = new Promise((resolve) => proc.on("exit", () => resolve()));
      let mine = "";
      const collect = (d: Buffer) => {
        mine += d;
        output += d;
      };
      proc.stdout?.on("data", collect);
      proc.stderr?.on("data", collect);
      const deadline = Date.now() + 150_000;
      for (;;) {
        const m = /CRASH-CLOUD-READY (.*)/.exec(mine);
        if (m?.[1]) {
          cloud.edge = (JSON.parse(m[1]) as { edge: string }).edge;
          return;
        }
        if (proc.exitCode !== null || Date.now() > deadline) {
          throw new Error(`the crash cloud did not come up:\n${mine}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    output: () => output,
    async until(what, check, ms = 30_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const value = await check();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${output.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async dispose() {
      await cloud.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await cloud.start();
  return cloud;
}
