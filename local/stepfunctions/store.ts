// Persistence of the local Step Functions under its stateDir: state-machines.json (one small index), one JSON
// file per execution (record + history + what a restart needs to resume it), and execution-index.jsonl, the
// finished executions' summaries (execution-index.ts), so that start-up reads only the executions it keeps whole.
//
// Writes are coalesced and group-committed: a change marks the file dirty; a short timer, or anyone awaiting
// sync(), writes every dirty file once (temp file, fsync, rename, fsync dir: local/aws/state-file.ts). sync()
// resolves when everything marked before the call is on disk, so the engine awaits it before a Task's side
// effect and the API before answering; a burst shares one round of writes instead of one fsync per event.
//
// A finished execution is read back on demand (readExecution): the record itself while a write of it is
// pending, so a reader never sees an older state than the one in memory; its file otherwise.
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import { readJsonState, readTextIfExists, writeFileAtomic } from "../aws/state-file.js";
import {
  appendLines,
  type ExecutionSummary,
  type IndexLine,
  lineFor,
  matches,
  readIndex,
  settled,
  summaryOf,
} from "./execution-index.js";
import type { ExecutionRecord, StateMachineRecord } from "./model.js";

const COALESCE_MS = 25;

export interface LoadedState {
  machines: StateMachineRecord[];
  /** Executions to keep whole: RUNNING, or with status-change events still to send. */
  open: ExecutionRecord[];
  /** Every other execution. */
  closed: ExecutionSummary[];
}

/** An execution file's id (its name without .json): the SHA-1 of its ARN, in hex. */
export function executionFileId(executionArn: string): string {
  return createHash("sha1").update(executionArn).digest("hex");
}

export class SfnStore {
  private readonly dirty = new Map<string, () => unknown>();
  /** Execution records marked dirty or being written, by file: newer than what their file holds. */
  private readonly held = new Map<string, ExecutionRecord>();
  private timer: NodeJS.Timeout | undefined;
  /** The last round of writes (settled or not). */
  private chain: Promise<void> = Promise.resolve();
  /** The round that will take the current dirty set, if one is queued and has not started. */
  private next: Promise<void> | undefined;

  constructor(private readonly dir: string) {}

  private get executionsDir(): string {
    return join(this.dir, "executions");
  }

  private get indexPath(): string {
    return join(this.dir, "execution-index.jsonl");
  }

  private pathOf(fileId: string): string {
    return join(this.executionsDir, `${fileId}.json`);
  }

  /**
   * Reads the machines, the open executions in full and the others' summaries (from the index where it still
   * matches the file, else from the file); then compacts the index. A damaged file is set aside (and logged).
   */
  async load(): Promise<LoadedState> {
    await mkdir(this.executionsDir, { recursive: true });
    const machines = (await readJsonState<StateMachineRecord[]>(join(this.dir, "state-machines.json"))) ?? [];
    const index = await readIndex(this.indexPath);
    const open: ExecutionRecord[] = [];
    const closed: ExecutionSummary[] = [];
    const lines: IndexLine[] = [];
    for (const file of await readdir(this.executionsDir)) {
      const path = join(this.executionsDir, file);
      // A temporary file a crash left behind: the rename never happened, so the old file is the state.
      if (file.endsWith(".tmp")) await rm(path, { force: true });
      if (!file.endsWith(".json")) continue;
      const line = index.get(file);
      if (line && matches(line, statSync(path))) {
        closed.push(line.summary);
        lines.push(line);
        continue;
      }
      const rec = await readJsonState<ExecutionRecord>(path);
      if (!rec?.executionArn) continue;
      if (!settled(rec)) {
        open.push(rec);
        continue;
      }
      closed.push(summaryOf(rec));
      lines.push(await lineFor(path, file, summaryOf(rec)));
    }
    await writeFileAtomic(this.indexPath, lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
    return { machines: Array.isArray(machines) ? machines : [], open, closed };
  }

  /** The execution as last saved (the record itself while its write is pending); undefined if none. */
  readExecution(executionArn: string): Promise<ExecutionRecord | undefined> {
    return this.readExecutionFile(executionFileId(executionArn));
  }

  async readExecutionFile(fileId: string): Promise<ExecutionRecord | undefined> {
    const path = this.pathOf(fileId);
    const held = this.held.get(path);
    if (held) return held;
    const text = await readTextIfExists(path);
    return text === undefined ? undefined : (JSON.parse(text) as ExecutionRecord);
  }

  saveMachines(snapshot: () => StateMachineRecord[]): void {
    this.mark(join(this.dir, "state-machines.json"), snapshot);
  }

  saveExecution(rec: ExecutionRecord): void {
    const path = this.pathOf(executionFileId(rec.executionArn));
    this.held.set(path, rec);
    this.mark(path, () => rec);
  }

  /** Resolves when every change marked so far is on disk (fsync'd); rejects if a write failed. */
  sync(): Promise<void> {
    if (this.next) return this.next;
    // Nothing new: what was marked is in the round being written (or already written).
    if (this.dirty.size === 0) return this.chain;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.chain.then(() => {
      this.next = undefined;
      return this.writeDirty();
    });
    this.next = next;
    this.chain = next.catch((err) => {
      console.error("[stepfunctions] could not persist state:", err);
    });
    return next;
  }

  /** Writes pending changes now; never rejects (errors are logged). */
  flush(): Promise<void> {
    return this.sync().catch(() => undefined);
  }

  private async writeDirty(): Promise<void> {
    const batch = [...this.dirty];
    this.dirty.clear();
    // Serialized per file by writeFileAtomic; snapshots (and index lines) are taken now, so they include every
    // change so far and the line says what the file says.
    const results = await Promise.allSettled(
      batch.map(([file, snapshot]) => {
        const text = JSON.stringify(snapshot());
        const rec = this.held.get(file);
        const summary = rec && settled(rec) ? summaryOf(rec) : undefined;
        const written = writeFileAtomic(file, text);
        // A line that cannot be made (stat failed) is only a cache miss at the next start.
        return summary
          ? written.then(() => lineFor(file, basename(file), summary).catch(() => undefined))
          : written;
      }),
    );
    const lines: IndexLine[] = [];
    results.forEach((r, i) => {
      const [file, snapshot] = batch[i]!;
      if (r.status === "fulfilled") {
        if (r.value) lines.push(r.value);
        // Written, and not marked again since: the file is the state now.
        if (!this.dirty.has(file)) this.held.delete(file);
      } else if (!this.dirty.has(file)) {
        // Try it again with the next round.
        this.dirty.set(file, snapshot);
      }
    });
    if (lines.length > 0) {
      // A cache (see execution-index.ts): a lost line only means that file is parsed at the next start.
      await appendLines(this.indexPath, lines).catch((err) => {
        console.error("[stepfunctions] could not update the execution index:", (err as Error).message);
      });
    }
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  private mark(file: string, snapshot: () => unknown): void {
    this.dirty.set(file, snapshot);
    if (!this.timer && !this.next) {
      this.timer = setTimeout(() => void this.flush(), COALESCE_MS);
      this.timer.unref();
    }
  }
}
