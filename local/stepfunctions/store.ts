// Persistence of the local Step Functions under its stateDir: state-machines.json (one small index) and one
// JSON file per execution (record + history). Writes are coalesced: a change marks the file dirty and a short
// timer writes every dirty file once (temp file + rename); flush() writes now (used by stop()).
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ExecutionRecord, StateMachineRecord } from "./model.js";

const COALESCE_MS = 25;

export class SfnStore {
  private readonly dirty = new Map<string, () => unknown>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string) {}

  private get executionsDir(): string {
    return join(this.dir, "executions");
  }

  async load(): Promise<{ machines: StateMachineRecord[]; executions: ExecutionRecord[] }> {
    await mkdir(this.executionsDir, { recursive: true });
    const machines = (await readJson<StateMachineRecord[]>(join(this.dir, "state-machines.json"))) ?? [];
    const executions: ExecutionRecord[] = [];
    for (const file of await readdir(this.executionsDir)) {
      if (!file.endsWith(".json")) continue;
      const rec = await readJson<ExecutionRecord>(join(this.executionsDir, file));
      if (rec?.executionArn) executions.push(rec);
    }
    return { machines, executions };
  }

  saveMachines(snapshot: () => StateMachineRecord[]): void {
    this.mark(join(this.dir, "state-machines.json"), snapshot);
  }

  saveExecution(rec: ExecutionRecord): void {
    const name = createHash("sha1").update(rec.executionArn).digest("hex");
    this.mark(join(this.executionsDir, `${name}.json`), () => rec);
  }

  /** Writes every pending change; resolves when they are on disk. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.dirty];
    this.dirty.clear();
    // Serialized: a file is never written by two flushes at once.
    this.writing = this.writing.then(async () => {
      await Promise.all(
        batch.map(async ([file, snapshot]) => {
          const tmp = `${file}.${process.pid}.tmp`;
          await writeFile(tmp, JSON.stringify(snapshot()));
          await rename(tmp, file);
        }),
      );
    });
    this.writing = this.writing.catch((err) => {
      console.error("[stepfunctions] could not persist state:", err);
    });
    return this.writing;
  }

  private mark(file: string, snapshot: () => unknown): void {
    this.dirty.set(file, snapshot);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), COALESCE_MS);
      this.timer.unref();
    }
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    console.error(`[stepfunctions] ignoring unreadable state file ${file}:`, (err as Error).message);
    return undefined;
  }
}
