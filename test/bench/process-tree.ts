/**
 * CPU seconds and RSS of this process and its direct children (the local cloud's emulator processes), read
 * from /proc: since the emulators left the main process, process.cpuUsage() and memoryUsage() alone would
 * undercount. Linux only; elsewhere the children count as zero.
 */
import { readdirSync, readFileSync } from "node:fs";
import { procStat } from "../../local/process/proc.js";

const TICKS_PER_S = 100; // USER_HZ on Linux
const PAGE = 4096;

// Listing /proc costs milliseconds, and the RSS sampler asks every 100 ms: look for children once a second.
let known: { at: number; pids: string[] } = { at: 0, pids: [] };
function childPids(): string[] {
  if (Date.now() - known.at < 1_000) return known.pids;
  let pids: string[] = [];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p) && Number(procStat(p)?.[1]) === process.pid);
  } catch {
    // No /proc: not Linux.
  }
  known = { at: Date.now(), pids };
  return pids;
}

function children(): Array<{ cpuS: number; rssBytes: number }> {
  const out: Array<{ cpuS: number; rssBytes: number }> = [];
  for (const pid of childPids()) {
    const f = procStat(pid);
    // Gone since the listing, or the pid now belongs to another process.
    if (!f || Number(f[1]) !== process.pid) continue;
    out.push({ cpuS: (Number(f[11]) + Number(f[12])) / TICKS_PER_S, rssBytes: Number(f[21]) * PAGE });
  }
  return out;
}

/** CPU seconds used so far by this process and its live children. */
export function treeCpuSeconds(): number {
  const self = process.cpuUsage();
  return (self.user + self.system) / 1e6 + children().reduce((s, c) => s + c.cpuS, 0);
}

/**
 * Resident memory by process: this one ("main") and each child, named by the emulator it runs (else its
 * program), MB. With --expose-gc, "main heap" is this process's heap in use after a full GC: what it retains,
 * where RSS also counts the heap V8 grew and has not handed back.
 */
export function rssByProcessMb(): Record<string, number> {
  const g = globalThis as { gc?: () => void };
  g.gc?.();
  const out: Record<string, number> = { main: Math.round(process.memoryUsage().rss / 2 ** 20) };
  if (g.gc) {
    const m = process.memoryUsage();
    out["main heap"] = Math.round(m.heapUsed / 2 ** 20);
    // What V8 keeps committed for the heap: RSS beyond it and the code is the allocator's and the worker's.
    out["main heap committed"] = Math.round(m.heapTotal / 2 ** 20);
  }
  if (process.env.BENCH_MEMDEBUG) {
    const m = process.memoryUsage();
    out["main heapTotal"] = Math.round(m.heapTotal / 2 ** 20);
    out["main external"] = Math.round(m.external / 2 ** 20);
    out["main arrayBuffers"] = Math.round(m.arrayBuffers / 2 ** 20);
  }
  for (const pid of childPids()) {
    const f = procStat(pid);
    if (!f) continue; // gone
    const args = (() => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      } catch {
        return [];
      }
    })();
    const at = args.findIndex((a) => a.endsWith("child-main.ts"));
    const name = at >= 0 ? (args[at + 1] ?? pid) : (args[0]?.split("/").pop() ?? pid);
    out[name] = Math.round((Number(f[21]) * PAGE) / 2 ** 20);
  }
  return out;
}

/** Resident memory of this process and its children, bytes. */
export function treeRssBytes(): number {
  return process.memoryUsage().rss + children().reduce((s, c) => s + c.rssBytes, 0);
}
