/**
 * A durable operation log for a local service: an append-only journal (`journal.jsonl`, one `[seq, record]`
 * line per operation) with group commit, compacted into `snapshot.json` (written atomically).
 *
 * - `append` resolves once the record is fsync'd. Records appended while a write is on its way go out
 *   together in the next write and share one fsync (group commit), so a burst costs a few fsyncs, not one each.
 * - The owner applies a record to its memory, then appends it, in the same synchronous step: so at any await
 *   point, memory = snapshot + every appended record. Compaction relies on that: it writes `snapshot()` with
 *   the last appended seq, then empties the journal. Records at or below a snapshot's seq are skipped on load,
 *   so a crash between the two steps replays nothing twice.
 * - Compaction starts once the journal holds max(`compactAfterBytes`, size of the last snapshot written or
 *   loaded) bytes: a snapshot of S bytes is rewritten only after at least S bytes of records, so compacting
 *   costs at most about one extra byte written per journal byte (amortized O(1) per record), however large
 *   the state. The journal stays at most about as big as the state, which bounds what a restart replays.
 * - On load a torn last line (a write cut by a kill) is ignored. A damaged line elsewhere is reported with the
 *   file, line and an excerpt, the journal is copied aside to `journal.jsonl.damaged-<ts>`, and loading goes
 *   on with the rest. A damaged snapshot is set aside the same way (local/aws/state-file.ts).
 */
import { copyFile, type FileHandle, mkdir, open, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { fsyncDir, readJsonState, writeFileAtomic } from "./state-file.js";

export interface JournalOptions {
  /** Batch every record waiting into one write + fsync (default). Off: one fsync per record (benchmarks). */
  groupCommit?: boolean;
  /** Compact once the journal holds this many bytes, or the last snapshot's size if larger (default 8 MiB). */
  compactAfterBytes?: number;
}

export interface LoadedJournal<R, S> {
  journal: Journal<R, S>;
  /** The last snapshot's state, if there is one. */
  snapshot: S | undefined;
  /** Journal records after the snapshot, in order: apply them to the snapshot, then call `journal.start`. */
  records: R[];
}

interface Pending {
  line: string;
  seq: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** A state already serialized: an owner that keeps its state as JSON text writes a snapshot without parsing it. */
export class StateText {
  constructor(readonly json: string) {}
}

interface SnapshotFile<S> {
  seq: number;
  state: S;
}

export class Journal<R, S> {
  private readonly journalPath: string;
  private readonly snapshotPath: string;
  private readonly groupCommit: boolean;
  private readonly compactAfterBytes: number;
  private fh: FileHandle | undefined;
  private seq = 0;
  private bytes = 0;
  /** Size of the last snapshot written or loaded: the journal may grow as big before compacting. */
  private snapshotBytes = 0;
  private queue: Pending[] = [];
  private running: Promise<void> | undefined;
  private snapshotOf: (() => S | StateText) | undefined;
  private closed = false;
  private wantCompact = false;

  private constructor(
    readonly dir: string,
    opts: JournalOptions,
  ) {
    this.journalPath = join(dir, "journal.jsonl");
    this.snapshotPath = join(dir, "snapshot.json");
    this.groupCommit = opts.groupCommit ?? true;
    this.compactAfterBytes = opts.compactAfterBytes ?? 8 * 1024 * 1024;
  }

  static async load<R, S>(dir: string, opts: JournalOptions = {}): Promise<LoadedJournal<R, S>> {
    await mkdir(dir, { recursive: true });
    const journal = new Journal<R, S>(dir, opts);
    const snap = await readJsonState<SnapshotFile<S>>(journal.snapshotPath);
    if (snap) journal.snapshotBytes = (await stat(journal.snapshotPath)).size;
    const after = snap?.seq ?? 0;
    journal.seq = after;
    const records: R[] = [];
    let text = "";
    try {
      text = await readFile(journal.journalPath, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    const { entries, damaged } = parseJournal<R>(text);
    for (const [seq, record] of entries) {
      if (seq > journal.seq) journal.seq = seq;
      if (seq > after) records.push(record);
    }
    if (damaged.length > 0) {
      const aside = `${journal.journalPath}.damaged-${new Date().toISOString().replace(/[:.]/g, "-")}`;
      await copyFile(journal.journalPath, aside);
      for (const d of damaged) {
        console.error(
          `[state] ${journal.journalPath} line ${d.line} is damaged and was skipped (copy kept at ${aside}): ${JSON.stringify(d.excerpt)}`,
        );
      }
    }
    return { journal, snapshot: snap?.state, records };
  }

  /**
   * Opens the journal for appending. `snapshot` returns the owner's whole state (synchronously), as a value or
   * as its JSON text. If the
   * journal held records (or a torn tail), it is compacted at once, so the next start replays little.
   */
  async start(snapshot: () => S | StateText): Promise<void> {
    this.snapshotOf = snapshot;
    this.fh = await open(this.journalPath, "a");
    const { size } = await this.fh.stat();
    this.bytes = size;
    await fsyncDir(this.dir);
    if (size > 0) await this.compact();
  }

  /** Resolves once `record` is on disk (fsync'd). Apply it to memory in the same synchronous step. */
  append(record: R): Promise<void> {
    if (this.closed || !this.fh) return Promise.reject(new Error(`journal ${this.journalPath} is not open`));
    const seq = ++this.seq;
    const line = `${JSON.stringify([seq, record])}\n`;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ line, seq, resolve, reject });
      this.kick();
    });
  }

  /** Writes everything pending, then a final snapshot, and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.fh && (this.bytes > 0 || this.queue.length > 0)) await this.compact();
    await this.fh?.close();
    this.fh = undefined;
  }

  /** Writes a snapshot and empties the journal (after the writes already queued), in the writer's turn. */
  async compact(): Promise<void> {
    this.wantCompact = true;
    this.kick();
    while (this.running) await this.running;
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.queue.length > 0 || this.wantCompact) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 || this.wantCompact) {
      if (this.queue.length > 0) {
        const batch = this.groupCommit ? this.queue.splice(0) : this.queue.splice(0, 1);
        const text = batch.map((p) => p.line).join("");
        try {
          await this.fh?.appendFile(text);
          await this.fh?.datasync();
          this.bytes += Buffer.byteLength(text);
          for (const p of batch) p.resolve();
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
      if (this.wantCompact || this.bytes >= Math.max(this.compactAfterBytes, this.snapshotBytes)) {
        this.wantCompact = false;
        await this.compactNow().catch((err) => console.error(`[state] compacting ${this.journalPath}:`, err));
      }
    }
  }

  private async compactNow(): Promise<void> {
    if (!this.snapshotOf || !this.fh) return;
    // Memory holds every record appended so far (see the header), including any still queued.
    const seq = this.seq;
    const state = this.snapshotOf();
    const text =
      state instanceof StateText
        ? `{"seq":${seq},"state":${state.json}}`
        : JSON.stringify({ seq, state } satisfies SnapshotFile<S>);
    await writeFileAtomic(this.snapshotPath, text);
    this.snapshotBytes = Buffer.byteLength(text);
    // Queued records the snapshot already holds are durable now.
    const covered = this.queue.filter((p) => p.seq <= seq);
    this.queue = this.queue.filter((p) => p.seq > seq);
    for (const p of covered) p.resolve();
    await this.fh.truncate(0);
    await this.fh.sync();
    this.bytes = 0;
  }
}

/**
 * Parses journal text: complete lines only (a last line without its newline was cut by a kill and is
 * ignored), each `[seq, record]`. A bad line at the very end is a torn write too; elsewhere it is damage.
 */
export function parseJournal<R>(text: string): {
  entries: Array<[number, R]>;
  damaged: Array<{ line: number; excerpt: string }>;
} {
  const entries: Array<[number, R]> = [];
  const damaged: Array<{ line: number; excerpt: string }> = [];
  const end = text.lastIndexOf("\n");
  const lines = end < 0 ? [] : text.slice(0, end).split("\n");
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      const parsed = JSON.parse(line) as unknown;
      if (!Array.isArray(parsed) || typeof parsed[0] !== "number")
        throw new Error("not a [seq, record] pair");
      entries.push([parsed[0], parsed[1] as R]);
    } catch {
      // A write cut short can leave a partial (or zero-filled) last line even with its newline.
      if (i === lines.length - 1) return;
      damaged.push({ line: i + 1, excerpt: line.length > 160 ? `${line.slice(0, 160)}…` : line });
    }
  });
  return { entries, damaged };
}
