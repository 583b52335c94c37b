// The finished executions' summary index, <stateDir>/execution-index.jsonl: a line per write of a settled
// execution (finished, no status-change events to send) with what ListExecutions shows and the file's identity
// (inode, size, mtime) right after that write. Start-up reads it instead of every execution's history: a line
// whose identity still matches its file is that file's summary; any other file (RUNNING, events to send, or
// rewritten after its line: a redrive, a crash between a write and its line, an older stateDir) is parsed, which
// is always right, since the execution files stay the only truth. So the index needs no fsync and no ordering
// with the files: it is a cache, appended after each round of writes and compacted at start.
import { appendFile, stat } from "node:fs/promises";
import { readTextIfExists } from "../aws/state-file.js";
import type { ExecutionRecord, ExecutionStatus } from "./model.js";

/** What ListExecutions needs of an execution. */
export interface ExecutionSummary {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  redriveCount: number;
  redriveDate?: number;
}

export interface IndexLine {
  /** The execution file's name. */
  file: string;
  ino: number;
  size: number;
  mtimeMs: number;
  summary: ExecutionSummary;
}

export function summaryOf(rec: ExecutionRecord): ExecutionSummary {
  return {
    executionArn: rec.executionArn,
    stateMachineArn: rec.stateMachineArn,
    name: rec.name,
    status: rec.status,
    startDate: rec.startDate,
    stopDate: rec.stopDate,
    redriveCount: rec.redriveCount,
    redriveDate: rec.redriveDate,
  };
}

/** The last line per file; damaged lines (a torn append) are skipped. */
export async function readIndex(path: string): Promise<Map<string, IndexLine>> {
  const lines = new Map<string, IndexLine>();
  const text = await readTextIfExists(path);
  if (text === undefined) return lines;
  for (const raw of text.split("\n")) {
    if (!raw) continue;
    try {
      const line = JSON.parse(raw) as IndexLine;
      if (typeof line.file === "string" && line.summary?.executionArn) lines.set(line.file, line);
    } catch {
      // torn or damaged: the file it named is parsed instead
    }
  }
  return lines;
}

/** Finished, with no status-change events left to send: start-up needs only its summary. */
export function settled(rec: ExecutionRecord): boolean {
  return rec.status !== "RUNNING" && !rec.pendingEvents?.length;
}

/** The line for the file at `path`, just written with a settled record whose summary is `summary`. */
export async function lineFor(path: string, file: string, summary: ExecutionSummary): Promise<IndexLine> {
  const s = await stat(path);
  return { file, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs, summary };
}

/** Whether `line` still describes the file `s` (same inode, size and mtime: not rewritten since). */
export function matches(line: IndexLine, s: { ino: number; size: number; mtimeMs: number }): boolean {
  return line.ino === s.ino && line.size === s.size && line.mtimeMs === s.mtimeMs;
}

export function appendLines(path: string, lines: IndexLine[]): Promise<void> {
  return appendFile(path, lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
}
