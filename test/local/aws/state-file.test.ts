/** Atomic, serialized state-file writes, and what happens to a file found damaged at start. */
import { fork } from "node:child_process";
import { mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  describeDamage,
  flushFile,
  readJsonState,
  readJsonStateSync,
  retireFile,
  StateFile,
  writeFileAtomic,
} from "../../../local/aws/state-file.js";

let dir: string;
let warn: ReturnType<typeof vi.spyOn>;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "state-file-"));
  warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
});
afterEach(() => warn.mockRestore());

describe("writeFileAtomic", () => {
  it("overlapping writes of one file leave the last one whole, and no temporary files", async () => {
    const path = join(dir, "clients.json");
    const docs = Array.from({ length: 50 }, (_, i) => JSON.stringify({ i, pad: "x".repeat((i * 37) % 400) }));
    await Promise.all(docs.map((d) => writeFileAtomic(path, d)));
    expect(await readFile(path, "utf8")).toBe(docs.at(-1));
    expect(await readdir(dir)).toEqual(["clients.json"]);
  });

  it("a thunk is evaluated when its write starts, so coalesced writes store the newest state", async () => {
    const path = join(dir, "s.json");
    const state = { v: 0 };
    const writes = [];
    for (let i = 1; i <= 20; i++) {
      state.v = i;
      writes.push(writeFileAtomic(path, () => JSON.stringify(state)));
    }
    await Promise.all(writes);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ v: 20 });
  });

  it("a thunk that returns undefined writes nothing (the file already holds that state)", async () => {
    const path = join(dir, "same.json");
    await writeFileAtomic(path, "{}");
    const before = await stat(path);
    await writeFileAtomic(path, () => undefined);
    const after = await stat(path);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(await readdir(dir)).toEqual(["same.json"]);
  });

  it("a write after retireFile is dropped (a deleted file is not brought back)", async () => {
    const path = join(dir, "pool.json");
    await writeFileAtomic(path, "{}");
    await retireFile(path);
    await writeFileAtomic(path, '{"late":true}');
    await flushFile(path);
    expect(await readFile(path, "utf8")).toBe("{}");
  });

  it("SIGKILL at any instant leaves a whole document (old or new), never a mix", async () => {
    const path = join(dir, "torn.json");
    for (let round = 0; round < 4; round++) {
      const child = fork(join(import.meta.dirname, "fixtures/write-forever.ts"), [path], {
        execPath: process.execPath,
        execArgv: ["--import", "tsx"],
        stdio: "ignore",
      });
      await new Promise((resolve) => child.once("message", resolve));
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 150));
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
      const doc = JSON.parse(await readFile(path, "utf8")) as { n: number; items: string[] };
      expect(doc.items.length).toBe((doc.n * 7919) % 500);
    }
  }, 30_000);
});

describe("a damaged state file", () => {
  it("is moved aside as <file>.damaged-<timestamp>, logged with what it held, and read as absent", async () => {
    const path = join(dir, "k8s.json");
    await writeFile(path, '{"objects":[{"name":"a"}]}\n  "name":"stray"}]}');
    expect(await readJsonState(path, "kubernetes")).toBeUndefined();
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^k8s\.json\.damaged-\d{4}-\d\d-\d\dT[\d-]+Z$/);
    expect(await readFile(join(dir, files[0]!), "utf8")).toContain("stray");
    const line = String(warn.mock.calls[0]?.[0]);
    expect(line).toContain(path);
    expect(line).toContain("a complete JSON document (29 bytes) followed by 17 stray bytes");
    expect(line).toContain("stray");
  });

  it("the synchronous reader does the same, and a StateFile starts empty over it", async () => {
    const path = join(dir, "scheduler.json");
    await writeFile(path, '{"version":1,"schedules":[{"Na');
    expect(readJsonStateSync(path, "scheduler")).toBeUndefined();
    expect(String(warn.mock.calls[0]?.[0])).toContain("a JSON document cut off after");
    await writeFile(path, "\0\0\0\0");
    const file = new StateFile<{ version: number }>(path);
    expect(await file.read()).toBeUndefined();
    await file.write({ version: 1 });
    expect(await file.read()).toEqual({ version: 1 });
    expect((await readdir(dir)).filter((f) => f.includes(".damaged-"))).toHaveLength(2);
  });

  it("a missing file is not damage", async () => {
    expect(await readJsonState(join(dir, "none.json"), "x")).toBeUndefined();
    expect(warn).not.toHaveBeenCalled();
  });
});

describe("describeDamage", () => {
  it("tells a torn tail from a cut-off document and from zeros", () => {
    expect(describeDamage('{"a":1}{"b"').holds).toBe(
      "a complete JSON document (7 bytes) followed by 4 stray bytes",
    );
    expect(describeDamage('{"a":[1,2').holds).toBe("a JSON document cut off after 9 bytes");
    expect(describeDamage("\0\0").holds).toBe("no JSON, only 2 bytes of whitespace or zeros");
    expect(describeDamage('{"a":1,}').holds).toMatch(/not one JSON document/);
  });

  it("masks values of secret-looking keys in the excerpt", () => {
    const d = describeDamage('{"Password":"hunter2","ClientSecret":"s3cr3t","Name":"acme"}xx');
    expect(d.excerpt).not.toContain("hunter2");
    expect(d.excerpt).not.toContain("s3cr3t");
    expect(d.excerpt).toContain("acme");
  });
});
