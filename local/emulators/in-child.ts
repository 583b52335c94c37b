/**
 * Starts a packaged emulator (child-main.ts) in a child process and returns what it serves as RunningEmulators
 * the edge proxies to, as it does for one in this process. They share one stop: the child's.
 * The child's pid is kept in its state directory: a child left by a parent that was killed exits by itself when
 * the IPC channel closes, but a quick restart must not open LevelDB or the JSON files while it still holds them,
 * so start waits for it to be gone (and kills one that lingers).
 * Gap: a child that dies on its own is logged, not restarted; its service answers connection errors until the
 * local cloud restarts.
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isAlive, procStat } from "../process/proc.js";
import { tsxExecArgv } from "../process/tsx-exec-argv.js";
import type { ChildEmulatorName, ChildReady } from "./child-main.js";
import type { RunningEmulator } from "./types.js";

const CHILD_ENTRY = new URL("./child-main.ts", import.meta.url);
const PID_FILE = "emulator.pid";

export async function startEmulatorProcess(
  name: ChildEmulatorName,
  stateDir: string,
  args: string[] = [],
): Promise<RunningEmulator[]> {
  await mkdir(stateDir, { recursive: true });
  const pidFile = join(stateDir, PID_FILE);
  await awaitLeftoverGone(pidFile);
  const child = fork(CHILD_ENTRY, [name, stateDir, ...args], {
    execArgv: tsxExecArgv(),
    // Two malloc arenas, not glibc's eight per core: the emulators' memory otherwise grows with their
    // threads' churn, not their state (docs/benchmarks.md, "Memory").
    env: { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? "2" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  await writeFile(pidFile, String(child.pid));
  const ready = await readyOf(child, name);
  let stopping = false;
  child.once("exit", (code, signal) => {
    if (!stopping)
      console.error(`[emulator ${name}] exited unexpectedly (${signal ?? code}); restart the local cloud`);
  });
  let stopped: Promise<void> | undefined;
  const stopChild = async () => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, "exit");
      child.send("stop");
      await exited;
    }
    await rm(pidFile, { force: true });
  };
  const stop = () => {
    stopped ??= stopChild();
    return stopped;
  };
  return ready.map((emulator) => ({ ...emulator, stop }));
}

function readyOf(child: ChildProcess, name: string): Promise<ChildReady> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`the ${name} emulator exited (status ${code}) before it listened`));
    child.once("exit", onExit);
    child.once("message", (m) => {
      child.off("exit", onExit);
      resolve(m as ChildReady);
    });
  });
}

/** Waits for the child of an earlier run to be gone: it exits by itself; one still there after 2 s is killed. */
async function awaitLeftoverGone(pidFile: string): Promise<void> {
  const pid = Number(await readFile(pidFile, "utf8").catch(() => ""));
  if (!pid) return;
  for (let waited = 0; isOurChild(pid); waited += 10) {
    if (waited === 2_000) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        return;
      }
    }
    await sleep(10);
  }
}

/** Alive (not a zombie) and running child-main: a pid reused by another program is left alone. */
function isOurChild(pid: number): boolean {
  if (!isAlive(pid)) return false;
  const stat = procStat(pid);
  // No /proc (macOS): trust the pid file for the 2 s grace.
  if (!stat) return true;
  if (stat[0] === "Z") return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("child-main");
  } catch {
    return false; // gone since
  }
}
