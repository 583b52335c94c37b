import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { readJsonState, StateFile, writeFileAtomic } from "../../../local/aws/state-file.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "state-file-"));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe("StateFile", () => {
  it("keeps the last of many overlapping writes and leaves no temporary file", async () => {
    const file = new StateFile<{ n: number }>(join(dir, "s.json"));
    await Promise.all(Array.from({ length: 20 }, (_, n) => file.write({ n })));
    await file.flush();
    expect(await file.read()).toEqual({ n: 19 });
    expect(await readdir(dir)).toEqual(["s.json"]);
  });

  it("serializes writes to one path even from two objects", async () => {
    const path = join(dir, "shared.json");
    const a = new StateFile<string>(path);
    const b = new StateFile<string>(path);
    await Promise.all([a.write("a1"), b.write("b1"), a.write("a2"), b.write("b2")]);
    expect(await a.read()).toBe("b2");
  });

  it("sets a damaged file aside, says which and what it held, and reads as absent", async () => {
    const path = join(dir, "clients.json");
    await writeFile(path, '{"clients":{}}\n"}, "stray');
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(await new StateFile(path).read()).toBeUndefined();
    const files = await readdir(dir);
    const aside = files.find((f) => f.startsWith("clients.json.damaged-"));
    expect(aside).toBeDefined();
    expect(files).not.toContain("clients.json");
    expect(await readFile(join(dir, aside ?? ""), "utf8")).toContain("stray");
    const logged = String(errors.mock.calls[0]?.[0]);
    expect(logged).toContain(path);
    expect(logged).toContain("stray");
  });

  it("reads a missing file as undefined", async () => {
    expect(await readJsonState(join(dir, "none.json"))).toBeUndefined();
  });

  it("writeFileAtomic creates missing directories", async () => {
    const path = join(dir, "a", "b", "c.txt");
    await writeFileAtomic(path, "hello");
    expect(await readFile(path, "utf8")).toBe("hello");
  });
});
