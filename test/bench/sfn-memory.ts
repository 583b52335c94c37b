// Memory and start-up cost of the local Step Functions as executions pile up: runs N small executions of a
// chain of Pass states (about as many history events as an onboarding) to completion on a temp stateDir, then
// reports heap and RSS after a GC, and how long a restart on that stateDir takes.
// Run: node --expose-gc --import tsx test/bench/sfn-memory.ts [N]   (node 22: node_modules/.bin/node)
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEdge } from "../../local/edge/server.js";
import { FunctionRegistry } from "../../local/lambda/registry.js";
import { createStepFunctionsService, type StepFunctionsService } from "../../local/stepfunctions/service.js";

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
  console.log(
    `${label}: heapUsed ${mib(m.heapUsed)}, heapTotal ${mib(m.heapTotal)}, external ${mib(m.external)}, rss ${mib(m.rss)}`,
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
  const h = (await service.handle("GetExecutionHistory", { executionArn: arns[0], maxResults: 5 })) as {
    events: unknown[];
  };
  console.log(`history page of a finished execution after restart: ${h.events.length} events`);
  await service.stop();
  await edge.stop();
  await rm(stateDir, { recursive: true, force: true });
}

await main();
