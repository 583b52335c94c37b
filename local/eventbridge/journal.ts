/**
 * The deliveries EventBridge still owes: an append-only journal (one JSON line per change) so that an event
 * PutEvents accepted is delivered even if the process dies before the delivery is done (AWS keeps retrying for up
 * to 24 h). A delivery is journaled ("add") before PutEvents answers; its retries ("attempt") and its end
 * ("done": delivered, dead-lettered or dropped) follow. Appends are group-committed: everything appended while an
 * fsync runs goes out with the next single write + fsync. At start the journal is read back, what is still
 * owed is resumed, and the file is rewritten with only that (atomically).
 */
import { type FileHandle, open } from "node:fs/promises";
import { readTextIfExists, writeFileAtomic } from "../aws/state-file.js";
import type { RuleRef } from "./input.js";
import type { Target } from "./store.js";

export interface PendingDelivery {
  id: string;
  rule: RuleRef;
  target: Target;
  event: Record<string, unknown>;
  ingestionTime: string;
  /** Epoch ms when it was accepted (MaximumEventAgeInSeconds counts from here). */
  acceptedAt: number;
  /** Retries made so far. */
  attempt: number;
}

type Line =
  | { op: "add"; delivery: PendingDelivery }
  | { op: "attempt"; id: string; attempt: number }
  | { op: "done"; id: string };

/** Rewrite the file once this many lines were appended since the last rewrite. */
const COMPACT_AFTER = 2000;

export class DeliveryJournal {
  private readonly pending = new Map<string, PendingDelivery>();
  private buffer: string[] = [];
  private waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private writing: Promise<void> | undefined;
  private handle: FileHandle | undefined;
  private appended = 0;

  constructor(private readonly path: string) {}

  /** Reads the journal back (a torn last line is ignored, a damaged one logged) and returns what is owed. */
  async load(): Promise<PendingDelivery[]> {
    const lines = await readLines(this.path);
    lines.forEach((text, i) => {
      let line: Line;
      try {
        line = JSON.parse(text) as Line;
      } catch {
        // The last line may be half-written by a kill: that append never completed (PutEvents did not answer).
        if (i < lines.length - 1) {
          console.error(`[eventbridge] ${this.path}: skipping damaged line ${i + 1}: ${text.slice(0, 200)}`);
        }
        return;
      }
      if (line.op === "add") this.pending.set(line.delivery.id, line.delivery);
      else if (line.op === "attempt") {
        const d = this.pending.get(line.id);
        if (d) d.attempt = line.attempt;
      } else this.pending.delete(line.id);
    });
    await this.compact();
    return [...this.pending.values()];
  }

  /** Resolves once the delivery is on disk. */
  add(delivery: PendingDelivery): Promise<void> {
    this.pending.set(delivery.id, delivery);
    return this.append({ op: "add", delivery });
  }

  attempt(delivery: PendingDelivery): void {
    this.append({ op: "attempt", id: delivery.id, attempt: delivery.attempt }).catch(() => undefined);
  }

  done(delivery: PendingDelivery): void {
    this.pending.delete(delivery.id);
    this.append({ op: "done", id: delivery.id }).catch(() => undefined);
  }

  /** Waits for the writes so far and closes the file. */
  async close(): Promise<void> {
    while (this.writing) await this.writing.catch(() => undefined);
    await this.handle?.close();
    this.handle = undefined;
  }

  private append(line: Line): Promise<void> {
    this.buffer.push(`${JSON.stringify(line)}\n`);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.writing) this.writing = this.writeLoop();
    return done;
  }

  private async writeLoop(): Promise<void> {
    while (this.buffer.length > 0) {
      const text = this.buffer.join("");
      const waiters = this.waiters;
      this.buffer = [];
      this.waiters = [];
      try {
        this.handle ??= await open(this.path, "a");
        await this.handle.write(text);
        await this.handle.sync();
        this.appended += waiters.length;
        if (this.appended >= COMPACT_AFTER) await this.compact();
        for (const w of waiters) w.resolve();
      } catch (err) {
        console.error(`[eventbridge] could not write ${this.path}:`, err);
        for (const w of waiters) w.reject(err);
      }
    }
    this.writing = undefined;
  }

  /** Rewrites the file with only what is still owed (temp file, fsync, rename). */
  private async compact(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    const text = [...this.pending.values()].map((delivery) => `${JSON.stringify({ op: "add", delivery })}\n`);
    await writeFileAtomic(this.path, text.join(""));
    this.appended = 0;
  }
}

async function readLines(path: string): Promise<string[]> {
  const text = await readTextIfExists(path);
  return text === undefined ? [] : text.split("\n").filter((l) => l.trim() !== "");
}
