/**
 * The Kubernetes stand-in's state directory: a journal of puts and deletes and its snapshot. Every write is
 * on disk once flush() resolves, a restart sees the same objects and resourceVersion, a torn last journal line
 * is ignored, and a legacy `k8s.json` beside the directory is migrated once.
 */
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import type { KubeObject } from "../../../local/k8s/resources.js";
import { RESOURCES } from "../../../local/k8s/resources.js";
import { Store } from "../../../local/k8s/store.js";

const namespaces = RESOURCES.find((r) => r.plural === "namespaces")!;
const serviceAccounts = RESOURCES.find((r) => r.plural === "serviceaccounts")!;
const ns = (name: string): KubeObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
const sa = (namespace: string, name: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ServiceAccount",
  metadata: { name, namespace },
});

let root: string;
let dir: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "k8s-"));
  dir = join(root, "k8s");
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(root, { recursive: true, force: true });
});

async function open(): Promise<Store> {
  const store = new Store(dir);
  await store.load();
  return store;
}

const names = (s: Store) => s.list(namespaces).map((o) => o.metadata.name);

it("every write is in the journal once flush() resolves, one line each, not the whole state", async () => {
  const store = await open();
  for (let i = 0; i < 30; i++) store.write(namespaces, ns(`tenant-${i}`), undefined);
  await store.flush();
  const lines = (await readFile(join(dir, "journal.jsonl"), "utf8")).trim().split("\n");
  expect(lines).toHaveLength(30);
  expect(JSON.parse(lines[29]!)[1]).toMatchObject({
    op: "put",
    plural: "namespaces",
    object: { metadata: { name: "tenant-29", resourceVersion: String(store.rv) } },
  });
  await store.close();
});

it("objects, deletions and the resourceVersion survive a restart without a clean stop", async () => {
  const store = await open();
  store.write(namespaces, ns("keep"), undefined);
  const gone = store.write(namespaces, ns("gone"), undefined);
  store.write(serviceAccounts, sa("keep", "robot"), undefined);
  store.remove(namespaces, gone);
  await store.flush();
  // No close(): as after a kill, only the journal holds the changes.
  const again = await open();
  expect(names(again)).toEqual(["keep"]);
  expect(again.get(serviceAccounts, "keep", "robot")?.metadata.resourceVersion).toBe("3");
  expect(again.rv).toBe(store.rv);
  // Watches from before the restart get 410 Expired; from now on, events are served.
  expect(again.since(store.rv - 1)).toBeUndefined();
  expect(again.since(again.rv)).toEqual([]);
  await again.close();
  const third = await open();
  expect(names(third)).toEqual(["keep"]);
  expect(third.rv).toBe(store.rv);
  await third.close();
  await store.close();
});

it("ignores a torn last journal line and carries on after the last complete one", async () => {
  const store = await open();
  store.write(namespaces, ns("a"), undefined);
  store.write(namespaces, ns("b"), undefined);
  await store.flush();
  await appendFile(join(dir, "journal.jsonl"), '[3,{"op":"put","plural":"namespaces","object":{"apiVe');
  const again = await open();
  expect(names(again)).toEqual(["a", "b"]);
  expect(again.rv).toBe(2);
  expect(again.write(namespaces, ns("c"), undefined).metadata.resourceVersion).toBe("3");
  await again.close();
  const third = await open();
  expect(names(third)).toEqual(["a", "b", "c"]);
  await third.close();
  await store.close();
});

it("migrates a legacy k8s.json beside the directory once, then removes it", async () => {
  const legacy = join(root, "k8s.json");
  const objects = [
    { ...ns("old-tenant"), metadata: { name: "old-tenant", resourceVersion: "41" } },
    {
      ...sa("old-tenant", "robot"),
      metadata: { name: "robot", namespace: "old-tenant", resourceVersion: "42" },
    },
  ];
  await writeFile(legacy, JSON.stringify({ resourceVersion: 42, objects }));
  const store = await open();
  expect(names(store)).toEqual(["old-tenant"]);
  expect(store.get(serviceAccounts, "old-tenant", "robot")?.metadata.resourceVersion).toBe("42");
  expect(store.rv).toBe(42);
  expect((await readdir(root)).sort()).toEqual(["k8s"]);
  expect(JSON.parse(await readFile(join(dir, "snapshot.json"), "utf8")).state.resourceVersion).toBe(42);
  store.remove(namespaces, store.get(namespaces, undefined, "old-tenant")!);
  await store.close();
  // A legacy file showing up again is not loaded over the journal's state (and is cleared away).
  await writeFile(legacy, JSON.stringify({ resourceVersion: 42, objects }));
  const again = await open();
  expect(names(again)).toEqual([]);
  expect(again.rv).toBe(43);
  expect((await readdir(root)).sort()).toEqual(["k8s"]);
  await again.close();
});

it("a damaged legacy k8s.json is moved aside and the stand-in starts empty", async () => {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
  await writeFile(join(root, "k8s.json"), '{"resourceVersion":7,"objects":[{"apiVersion":"v1","kind":"Nam');
  const store = await open();
  expect(store.list(namespaces)).toEqual([]);
  expect((await readdir(root)).some((f) => /^k8s\.json\.damaged-/.test(f))).toBe(true);
  expect(String(warn.mock.calls[0]?.[0])).toMatch(/k8s\.json is damaged: it holds a JSON document cut off/);
  await store.close();
});

it("lists in etcd key order (namespace, then name), one namespace or all, and forgets emptied namespaces", async () => {
  const store = new Store();
  for (const [n, name] of [
    ["b", "z"],
    ["a", "y"],
    ["b", "x"],
    ["a", "w"],
  ] as const)
    store.write(serviceAccounts, sa(n, name), undefined);
  const keys = (objs: KubeObject[]) => objs.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
  expect(keys(store.list(serviceAccounts))).toEqual(["a/w", "a/y", "b/x", "b/z"]);
  expect(keys(store.list(serviceAccounts, "b"))).toEqual(["b/x", "b/z"]);
  expect(store.list(serviceAccounts, "c")).toEqual([]);
  for (const o of store.list(serviceAccounts, "a")) store.remove(serviceAccounts, o);
  expect(keys(store.list(serviceAccounts))).toEqual(["b/x", "b/z"]);
  expect(store.get(serviceAccounts, "a", "w")).toBeUndefined();
  expect(store.get(serviceAccounts, "b", "x")?.metadata.name).toBe("x");
});

it("writes its snapshot from the stored texts, and loads the same objects from it", async () => {
  const store = await open();
  store.write(namespaces, ns("keep"), undefined);
  store.write(serviceAccounts, sa("keep", "robot"), undefined);
  await store.close();
  const snapshot = JSON.parse(await readFile(join(dir, "snapshot.json"), "utf8"));
  expect(snapshot.state.resourceVersion).toBe(store.rv);
  expect(snapshot.state.objects.map((o: KubeObject) => o.kind).sort()).toEqual([
    "Namespace",
    "ServiceAccount",
  ]);
  const again = await open();
  expect(again.get(serviceAccounts, "keep", "robot")).toEqual(store.get(serviceAccounts, "keep", "robot"));
  await again.close();
});
