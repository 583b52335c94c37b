import { readFileSync } from "node:fs";

/** Whether a process with this pid exists (a zombie, exited but not yet reaped, still does). */
export function isAlive(pid: number | string): boolean {
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The fields of `/proc/<pid>/stat` after "(comm)": [0] state, [1] ppid, [11] utime, [12] stime (ticks),
 * [21] rss (pages). Undefined when the process is gone or there is no /proc (not Linux).
 */
export function procStat(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}
