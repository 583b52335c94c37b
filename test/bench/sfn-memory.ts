// Memory and start-up cost of the local Step Functions as executions pile up: runs N small executions of a
// chain of Pass states (about as many history events as an onboarding) to completion on a temp stateDir, then
// reports heap and RSS after a GC, and how long a restart on that stateDir takes.
// Run: node --expose-gc --import tsx test/bench/sfn-memory.ts [N]   (node 22: node_modules/.bin/node)
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEdge } from "../../local/edge/server.js";
import { FunctionRegistry } from "../../local/lambda/registry.js";
import { createStepFunctionsService, type StepFunctionsService } from "../../local/stepfunctions/service.js";

const OPEN = process.argv[2] === "--open" ? process.argv[3] : undefined;
const N = Number(process.argv[2] ?? 5000);
const CONCURRENCY = 50;
const PASS_STATES = 12;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");

function memory(label: string): { heap: number; rss: number } {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  const out = { heap: m.heapUsed / 2 ** 20, rss: m.rss / 2 ** 20 };
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  const status = readFileSync("/proc/self/status", "utf8");
  const kb = (key: string) => status.match(new RegExp(`${key}:\\s+(\\d+)`))?.[1] ?? "?";
  console.log(
    `${label}: RssAnon ${kb("RssAnon")} kB, RssFile ${kb("RssFile")} kB, ` +
      `heapUsed ${mib(m.heapUsed)}, heapTotal ${mib(m.heapTotal)}, external ${mib(m.external)}, rss ${mib(m.rss)}`,
  );
  return out;
}

const states: Record<string, object> = {};
for (let i = 0; i < PASS_STATES; i++) {
  states[`Step${i}`] =
    i === PASS_STATES - 1 ? { Type: "Pass", End: true } : { Type: "Pass", Next: `Step${i + 1}` };
}
const definition = { StartAt: "Step0", States: states };

async function main(): Promise<void> {
  const stateDir = await mkdtemp(join(tmpdir(), "embark-sfn-bench-"));
  // A bare edge: status-change events are refused at once (no EventBridge), as with nothing behind the bus.
  const edge = await startEdge({ port: 0 });
  const ctx = {
    stateDir,
    edgeUrl: edge.url,
    region: "us-east-1",
    accountId: "000000000000",
    functions: new FunctionRegistry(),
  };
  const open = async () => {
    const service = await createStepFunctionsService(ctx);
    service.resume();
    return service;
  };
  let service: StepFunctionsService = await open();
  const machine = await service.registerStateMachine({ name: "bench", definition });
  const start = memory("start");

  const arns: string[] = [];
  let next = 0;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) {
        const i = next++;
        const input = JSON.stringify({
          tenantId: `tenant-${i}`,
          plan: "pro",
          owner: `owner${i}@example.com`,
        });
        const out = (await service.handle("StartExecution", {
          stateMachineArn: machine,
          name: `tenant-${i}-onboard`,
          input,
        })) as { executionArn: string };
        arns.push(out.executionArn);
        if ((i + 1) % 1000 === 0) memory(`  ${i + 1} started`);
        for (;;) {
          const d = (await service.handle("DescribeExecution", { executionArn: out.executionArn })) as {
            status: string;
          };
          if (d.status !== "RUNNING") break;
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    }),
  );
  console.log(`ran ${N} executions in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // Status-change events are put one at a time; a finished execution is held whole until its own are sent.
  const backlog = service.residency().whole.length;
  while (service.residency().whole.length > 0) await new Promise((r) => setTimeout(r, 50));
  console.log(`waited ${((Date.now() - t0) / 1000).toFixed(1)} s in all for the status events of ${backlog}`);
  await service.flush();
  const after = memory(`after ${N}`);
  console.log(
    `ratio rss ${(after.rss / start.rss).toFixed(2)}, heap ${(after.heap / start.heap).toFixed(2)}`,
  );

  await service.stop();
  service = undefined as unknown as StepFunctionsService;
  memory("stopped (old service dropped)");
  const t1 = process.hrtime.bigint();
  service = await open();
  const restartMs = Number(process.hrtime.bigint() - t1) / 1e6;
  console.log(`restart: ${restartMs.toFixed(0)} ms`);
  memory("after restart");
  const r = service.residency();
  console.log(`whole ${r.whole.length}, summaries ${r.summaries}`);
  const h = (await service.handle("GetExecutionHistory", { executionArn: arns[0], maxResults: 5 })) as {
    events: unknown[];
  };
  console.log(`history page of a finished execution after restart: ${h.events.length} events`);
  await service.stop();
  await edge.stop();
  // A fresh process on this stateDir, against one on an empty stateDir: what the executions cost at start-up.
  const empty = await mkdtemp(join(tmpdir(), "embark-sfn-bench-empty-"));
  for (const dir of [empty, stateDir]) {
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, "--open", dir], {
      encoding: "utf8",
    });
    console.log(
      `fresh process on ${dir === empty ? "an empty stateDir" : `${N} executions`}:\n${child.stdout}`,
    );
  }
  await rm(empty, { recursive: true, force: true });
  if (process.env.KEEP) console.log(`kept ${stateDir}`);
  else await rm(stateDir, { recursive: true, force: true });
}

/** --open DIR: opens a service on DIR in this (fresh) process and reports start-up time and memory. */
async function openOnly(dir: string): Promise<void> {
  const edge = await startEdge({ port: 0 });
  const ctx = { stateDir: dir, edgeUrl: edge.url, region: "us-east-1", accountId: "000000000000" };
  const t = process.hrtime.bigint();
  const service = await createStepFunctionsService({ ...ctx, functions: new FunctionRegistry() });
  service.resume();
  console.log(`  open: ${(Number(process.hrtime.bigint() - t) / 1e6).toFixed(0)} ms`);
  memory("  after open");
  await service.stop();
  await edge.stop();
}

if (OPEN) await openOnly(OPEN);
else await main();
