import { existsSync, statSync } from "node:fs";
import { appendFile, mkdtemp, open as openFile, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Journal, parseJournal, StateText } from "../../../local/aws/journal.js";

type Rec = { add: number };
type State = { items: number[] };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "journal-"));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

/** Opens the journal in `dir` as an owner would: snapshot + records → memory, then start. */
async function open(opts: { compactAfterBytes?: number; groupCommit?: boolean } = {}) {
  const loaded = await Journal.load<Rec, State>(dir, opts);
  const state: State = { items: [...(loaded.snapshot?.items ?? [])] };
  for (const r of loaded.records) state.items.push(r.add);
  await loaded.journal.start(() => ({ items: [...state.items] }));
  const append = (n: number) => {
    state.items.push(n);
    return loaded.journal.append({ add: n });
  };
  return { journal: loaded.journal, state, append, replayed: loaded.records.length };
}

describe("Journal", () => {
  it("replays what was appended before a crash (no close), in order", async () => {
    const a = await open();
    await Promise.all([1, 2, 3].map(a.append));
    // No close(): the process "dies" here with only the journal on disk.
    const b = await open();
    expect(b.state.items).toEqual([1, 2, 3]);
    await a.journal.close();
    await b.journal.close();
  });

  it("ignores a torn last record and keeps the complete ones", async () => {
    const a = await open();
    await a.append(1);
    await a.append(2);
    await appendFile(join(dir, "journal.jsonl"), '[3,{"add":');
    const b = await open();
    expect(b.state.items).toEqual([1, 2]);
    await b.append(4);
    const c = await open();
    expect(c.state.items).toEqual([1, 2, 4]);
    for (const j of [a, b, c]) await j.journal.close();
  });

  it("groups records appended together into fewer fsyncs than records", async () => {
    const a = await open();
    // FileHandle's class is not exported: take its prototype from a handle.
    const probe = await openFile(join(dir, "probe"), "w");
    const sync = vi.spyOn(Object.getPrototypeOf(probe), "datasync");
    await probe.close();
    await Promise.all(Array.from({ length: 100 }, (_, i) => a.append(i)));
    expect(sync.mock.calls.length).toBeLessThan(100);
    expect(sync.mock.calls.length).toBeGreaterThan(0);
    await a.journal.close();
  });

  it("compacts into a snapshot and an empty journal, and loads the same state", async () => {
    const a = await open({ compactAfterBytes: 200 });
    for (let i = 0; i < 50; i++) await a.append(i);
    const journalText = await readFile(join(dir, "journal.jsonl"), "utf8");
    expect(journalText.length).toBeLessThan(200);
    const snapshot = JSON.parse(await readFile(join(dir, "snapshot.json"), "utf8"));
    expect(snapshot.state.items.length).toBeGreaterThan(0);
    const b = await open();
    expect(b.state.items).toEqual(Array.from({ length: 50 }, (_, i) => i));
    await a.journal.close();
    await b.journal.close();
  });

  it("writes a state given as JSON text as it is, and loads it back as the state", async () => {
    const loaded = await Journal.load<Rec, State>(dir);
    const items: number[] = [];
    await loaded.journal.start(() => new StateText(`{"items":[${items.join(",")}]}`));
    for (const n of [4, 5, 6]) {
      items.push(n);
      await loaded.journal.append({ add: n });
    }
    await loaded.journal.close();
    const again = await Journal.load<Rec, State>(dir);
    expect(again.snapshot).toEqual({ items: [4, 5, 6] });
    expect(again.records).toEqual([]);
    await again.journal.close();
  });

  it("skips records the snapshot already holds (a crash between snapshot and truncation)", async () => {
    const a = await open();
    await a.append(1);
    await a.append(2);
    const journalBefore = await readFile(join(dir, "journal.jsonl"), "utf8");
    await a.journal.compact();
    // As if the kill came after snapshot.json was renamed in but before the journal was emptied.
    await writeFile(join(dir, "journal.jsonl"), journalBefore);
    const b = await open();
    expect(b.state.items).toEqual([1, 2]);
    await a.journal.close();
    await b.journal.close();
  });

  it("says which line of which file is damaged, keeps a copy, and loads the rest", async () => {
    await writeFile(join(dir, "journal.jsonl"), '[1,{"add":1}]\n[2,{"add":2\n[3,{"add":3}]\n');
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const b = await open();
    expect(b.state.items).toEqual([1, 3]);
    const said = errors.mock.calls.map((c) => String(c[0])).join("\n");
    expect(said).toContain(join(dir, "journal.jsonl"));
    expect(said).toContain("line 2");
    expect((await readdir(dir)).some((f) => f.startsWith("journal.jsonl.damaged-"))).toBe(true);
    await b.journal.close();
  });

  it("starts from the journal alone when the snapshot is damaged, setting the snapshot aside", async () => {
    await writeFile(join(dir, "snapshot.json"), '{"seq":5,"state":{"items":[1,');
    await writeFile(join(dir, "journal.jsonl"), '[6,{"add":6}]\n');
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const b = await open();
    expect(b.state.items).toEqual([6]);
    expect((await readdir(dir)).some((f) => f.startsWith("snapshot.json.damaged-"))).toBe(true);
    await b.journal.close();
  });
});

describe("Journal compaction threshold", () => {
  type Padded = { pad: string; n: number };
  /**
   * A journal whose state holds a `size`-character string. Each compaction calls the snapshot function once,
   * which notes the journal's size then and the size of the snapshot it replaces.
   */
  async function padded(size: number, compactAfterBytes: number) {
    const loaded = await Journal.load<number, Padded>(dir, { compactAfterBytes, groupCommit: false });
    let n = loaded.snapshot?.n ?? 0;
    for (const r of loaded.records) n = r;
    const compactions: Array<{ journal: number; lastSnapshot: number }> = [];
    const sizeOf = (f: string) => (existsSync(join(dir, f)) ? statSync(join(dir, f)).size : 0);
    await loaded.journal.start(() => {
      compactions.push({ journal: sizeOf("journal.jsonl"), lastSnapshot: sizeOf("snapshot.json") });
      return { pad: "x".repeat(size), n };
    });
    const append = (r: number) => {
      n = r;
      return loaded.journal.append(r);
    };
    return { journal: loaded.journal, append, compactions };
  }
  const lineBytes = (seq: number) => `${JSON.stringify([seq, seq])}\n`.length;

  it("compacts once the journal reaches the last snapshot's size, when that exceeds compactAfterBytes", async () => {
    const a = await padded(2000, 100);
    let written = 0;
    for (let i = 1; i <= 2000; i++) {
      await a.append(i);
      written += lineBytes(i);
    }
    // The first at 100 bytes (no snapshot yet), then each as the journal passes the snapshot before it.
    expect(a.compactions[0]!.lastSnapshot).toBe(0);
    for (const c of a.compactions) {
      const threshold = Math.max(100, c.lastSnapshot);
      expect(c.journal).toBeGreaterThanOrEqual(threshold);
      expect(c.journal).toBeLessThan(threshold + lineBytes(2000));
    }
    expect(a.compactions.length).toBeGreaterThan(5);
    // A fixed 100-byte threshold would have rewritten the 2 KB snapshot about 200 times.
    expect(a.compactions.length).toBeLessThanOrEqual(1 + written / 2000);
    await a.journal.close();
  });

  it("counts the snapshot found at load, so a restart does not compact a big state early", async () => {
    const a = await padded(5000, 100);
    await a.append(1);
    await a.journal.close();
    const b = await padded(5000, 100);
    let written = 0;
    for (let i = 2; written + lineBytes(i) < 5000; i++) {
      await b.append(i);
      written += lineBytes(i);
    }
    expect(b.compactions).toEqual([]);
    expect((await readFile(join(dir, "journal.jsonl"), "utf8")).length).toBe(written);
    await b.journal.close();
    expect(b.compactions).toHaveLength(1);
  });
});

describe("parseJournal", () => {
  it("ignores a last line without its newline and a garbled last line", () => {
    expect(parseJournal('[1,"a"]\n[2,"b"]').entries).toEqual([[1, "a"]]);
    expect(parseJournal('[1,"a"]\n\u0000\u0000\u0000\n')).toEqual({ entries: [[1, "a"]], damaged: [] });
  });
});
