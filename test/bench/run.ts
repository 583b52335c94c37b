/**
 * `npm run bench`: startup time and memory of `npm start`, and time from POST /signups to an ACTIVE tenant.
 * Prints numbers; asserts nothing (timings belong here, not in tests).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { startLocalCloud } from "../../local/cloud.js";
import { mountEmbark } from "../../local/embark/mount.js";
import { startLocalMain } from "../support/npm-start.js";

const STARTS = Number(process.env.BENCH_STARTS ?? 5);
const SIGNUPS = Number(process.env.BENCH_SIGNUPS ?? 20);

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
  return { n: s.length, min: s[0], median: at(0.5), p95: at(0.95), max: s[s.length - 1] };
}

/** Runs `local/main.ts --fresh` in a scratch dir and reads the "ready in N ms (M MB RSS)" banner. */
async function measureStart(): Promise<{ readyMs: number; rssMb: number; wallMs: number }> {
  const cwd = await mkdtemp(join(tmpdir(), "embark-bench-"));
  const t0 = performance.now();
  const started = startLocalMain(cwd, { POWERTOOLS_LOG_LEVEL: "WARN" });
  const banner = /ready in (\d+) ms \((\d+) MB RSS\)/;
  if (!(await started.waitForOutput(banner, Number.POSITIVE_INFINITY))) {
    throw new Error(`npm start exited: ${started.output()}`);
  }
  const wallMs = performance.now() - t0;
  const [, ready, rss] = banner.exec(started.output()) ?? [];
  const { child, exited } = started;
  child.kill("SIGINT");
  await exited;
  await rm(cwd, { recursive: true, force: true });
  return { readyMs: Number(ready), rssMb: Number(rss), wallMs };
}

async function measureOnboarding(): Promise<{ times: number[]; rssMb: number }> {
  const stateDir = await mkdtemp(join(tmpdir(), "embark-bench-cloud-"));
  process.env.POWERTOOLS_LOG_LEVEL = "WARN";
  const cloud = await startLocalCloud({ stateDir, edgePort: 0, webPort: 0, kubePort: 0, wire: mountEmbark });
  const times: number[] = [];
  try {
    for (let i = 0; i < SIGNUPS; i++) {
      const t0 = performance.now();
      const res = await fetch(`${cloud.endpoints.web}/signups`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          companyName: `Bench Co ${i}`,
          adminEmail: `ops${i}@bench.test`,
          plan: "standard",
        }),
      });
      const { tenantId } = (await res.json()) as { tenantId: string };
      for (;;) {
        const view = (await (await fetch(`${cloud.endpoints.web}/tenants/${tenantId}`)).json()) as {
          status: string;
        };
        if (view.status === "ACTIVE") break;
        if (view.status === "FAILED") throw new Error(`tenant ${tenantId} FAILED`);
        await sleep(10);
      }
      times.push(performance.now() - t0);
    }
    return { times, rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024) };
  } finally {
    await cloud.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

const starts = [];
for (let i = 0; i < STARTS; i++) starts.push(await measureStart());
const round = (o: Record<string, number | undefined>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v === undefined ? v : Math.round(v)]));
console.log(`npm start, fresh state, ${STARTS} runs`);
console.log("  ready (ms, in-process timer):", round(stats(starts.map((s) => s.readyMs))));
console.log("  spawn → banner (ms, incl. node + tsx):", round(stats(starts.map((s) => s.wallMs))));
console.log("  RSS at ready (MB):", round(stats(starts.map((s) => s.rssMb))));

const onboarding = await measureOnboarding();
console.log(`POST /signups → ACTIVE, standard plan, ${SIGNUPS} tenants one after another`);
console.log("  ms:", round(stats(onboarding.times)));
console.log(`  RSS after ${SIGNUPS} tenants (MB): ${onboarding.rssMb}`);
process.exit(0);
