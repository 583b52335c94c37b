// Persistence of the local Step Functions under its stateDir: state-machines.json (one small index) and one
// JSON file per execution (record + history + what a restart needs to resume it).
//
// Writes are coalesced and group-committed: a change marks the file dirty; a short timer, or anyone awaiting
// sync(), writes every dirty file once (temp file, fsync, rename, fsync dir: local/aws/state-file.ts). sync()
// resolves when everything marked before the call is on disk, so the engine awaits it before a Task's side
// effect and the API before answering; a burst shares one round of writes instead of one fsync per event.
import { createHash } from "node:crypto";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { readJsonState, writeFileAtomic } from "../aws/state-file.js";
import type { ExecutionRecord, StateMachineRecord } from "./model.js";

const COALESCE_MS = 25;

export class SfnStore {
  private readonly dirty = new Map<string, () => unknown>();
  private timer: NodeJS.Timeout | undefined;
  /** The last round of writes (settled or not). */
  private chain: Promise<void> = Promise.resolve();
  /** The round that will take the current dirty set, if one is queued and has not started. */
  private next: Promise<void> | undefined;

  constructor(private readonly dir: string) {}

  private get executionsDir(): string {
    return join(this.dir, "executions");
  }

  /** Reads everything; a damaged file is set aside (and logged) and the rest loads. */
  async load(): Promise<{ machines: StateMachineRecord[]; executions: ExecutionRecord[] }> {
    await mkdir(this.executionsDir, { recursive: true });
    const machines = (await readJsonState<StateMachineRecord[]>(join(this.dir, "state-machines.json"))) ?? [];
    const executions: ExecutionRecord[] = [];
    for (const file of await readdir(this.executionsDir)) {
      const path = join(this.executionsDir, file);
      // A temporary file a crash left behind: the rename never happened, so the old file is the state.
      if (file.endsWith(".tmp")) await rm(path, { force: true });
      if (!file.endsWith(".json")) continue;
      const rec = await readJsonState<ExecutionRecord>(path);
      if (rec?.executionArn) executions.push(rec);
    }
    return { machines: Array.isArray(machines) ? machines : [], executions };
  }

  saveMachines(snapshot: () => StateMachineRecord[]): void {
    this.mark(join(this.dir, "state-machines.json"), snapshot);
  }

  saveExecution(rec: ExecutionRecord): void {
    const name = createHash("sha1").update(rec.executionArn).digest("hex");
    this.mark(join(this.executionsDir, `${name}.json`), () => rec);
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
    // Serialized per file by writeFileAtomic; snapshots are taken now, so they include every change so far.
    const results = await Promise.allSettled(
      batch.map(([file, snapshot]) => writeFileAtomic(file, JSON.stringify(snapshot()))),
    );
    const failed = results.findIndex((r) => r.status === "rejected");
    if (failed < 0) return;
    // Try those again with the next round (unless marked again since).
    results.forEach((r, i) => {
      const [file, snapshot] = batch[i]!;
      if (r.status === "rejected" && !this.dirty.has(file)) this.dirty.set(file, snapshot);
    });
    throw (results[failed] as PromiseRejectedResult).reason;
  }

  private mark(file: string, snapshot: () => unknown): void {
    this.dirty.set(file, snapshot);
    if (!this.timer && !this.next) {
      this.timer = setTimeout(() => void this.flush(), COALESCE_MS);
      this.timer.unref();
    }
  }
}
