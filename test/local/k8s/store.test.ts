/** The Kubernetes stand-in's state file: on disk when flush() resolves, and a damaged one is moved aside. */
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it, vi } from "vitest";
import { RESOURCES } from "../../../local/k8s/resources.js";
import { Store } from "../../../local/k8s/store.js";

const namespaces = RESOURCES.find((r) => r.plural === "namespaces")!;
const ns = (name: string) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });

it("every write is in the state file once flush() resolves, and a new store loads it", async () => {
  const file = join(await mkdtemp(join(tmpdir(), "k8s-")), "k8s.json");
  const store = new Store(file);
  for (let i = 0; i < 30; i++) store.write(namespaces, ns(`tenant-${i}`), undefined);
  await store.flush();
  expect(JSON.parse(await readFile(file, "utf8")).objects).toHaveLength(30);
  const again = new Store(file);
  await again.load();
  expect(again.list(namespaces).map((o) => o.metadata.name)).toContain("tenant-29");
  expect(again.rv).toBe(store.rv);
});

it("a damaged state file is moved aside and the stand-in starts empty", async () => {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
  const dir = await mkdtemp(join(tmpdir(), "k8s-"));
  await writeFile(join(dir, "k8s.json"), '{"resourceVersion":7,"objects":[{"apiVersion":"v1","kind":"Nam');
  const store = new Store(join(dir, "k8s.json"));
  await store.load();
  expect(store.list(namespaces)).toEqual([]);
  expect((await readdir(dir))[0]).toMatch(/^k8s\.json\.damaged-/);
  expect(String(warn.mock.calls[0]?.[0])).toMatch(/k8s\.json is damaged: it holds a JSON document cut off/);
  warn.mockRestore();
});
