/**
 * `npm run bench:k8s`: what one object write costs the Kubernetes stand-in's durable store (local/k8s/store.ts)
 * with 0, 10,000 and 50,000 objects already in it (about 10 per tenant): wall and CPU time and bytes written
 * per write, each write awaited as the server awaits it before answering. The store is reopened after seeding,
 * as after a restart. Bytes are the process's wchar (/proc/self/io, Linux). Prints numbers, asserts nothing.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { type KubeObject, RESOURCES } from "../../local/k8s/resources.js";
import { Store } from "../../local/k8s/store.js";

const WRITES = Number(process.env.BENCH_K8S_WRITES ?? 200);
const serviceAccounts = RESOURCES.find((r) => r.plural === "serviceaccounts")!;

const object = (i: number): KubeObject => ({
  apiVersion: "v1",
  kind: "ServiceAccount",
  metadata: {
    name: `sa-${i}`,
    namespace: `tenant-${Math.floor(i / 10)}`,
    labels: { "embark.dev/tenant": `tenant-${Math.floor(i / 10)}` },
  },
  automountServiceAccountToken: false,
});

const written = (): number | undefined =>
  existsSync("/proc/self/io")
    ? Number(/wchar: (\d+)/.exec(readFileSync("/proc/self/io", "utf8"))?.[1])
    : undefined;

console.log(`Object writes to the durable store, ${WRITES} per size, each awaited (flush) before the next`);
console.log("objects before   ms/write   CPU ms/write   bytes written/write");
for (const size of [0, 10_000, 50_000]) {
  const dir = await mkdtemp(join(tmpdir(), "bench-k8s-"));
  const seeding = new Store(join(dir, "k8s"));
  await seeding.load();
  for (let i = 0; i < size; i++) seeding.write(serviceAccounts, object(i), undefined);
  await seeding.close();
  const store = new Store(join(dir, "k8s"));
  await store.load();
  const bytes0 = written();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < WRITES; i++) {
    store.write(serviceAccounts, object(size + i), undefined);
    await store.flush();
  }
  const ms = (performance.now() - t0) / WRITES;
  const cpu = process.cpuUsage(cpu0);
  const bytes1 = written();
  await store.close();
  await rm(dir, { recursive: true, force: true });
  const perWrite =
    bytes0 === undefined || bytes1 === undefined ? "n/a" : String(Math.round((bytes1 - bytes0) / WRITES));
  console.log(
    `${String(size).padStart(14)}   ${ms.toFixed(2).padStart(8)}   ${((cpu.user + cpu.system) / 1000 / WRITES).toFixed(2).padStart(12)}   ${perWrite.padStart(19)}`,
  );
}
