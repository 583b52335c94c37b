import { appendFile, mkdtemp, open as openFile, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Journal, parseJournal } from "../../../local/aws/journal.js";

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

describe("parseJournal", () => {
  it("ignores a last line without its newline and a garbled last line", () => {
    expect(parseJournal('[1,"a"]\n[2,"b"]').entries).toEqual([[1, "a"]]);
    expect(parseJournal('[1,"a"]\n\u0000\u0000\u0000\n')).toEqual({ entries: [[1, "a"]], damaged: [] });
  });
});
