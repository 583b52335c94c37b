import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FunctionRegistry } from "./local/lambda/registry.js";
import { createStepFunctionsService } from "./local/stepfunctions/service.js";
import { fixtureFunctions } from "./test/support/fixture-functions.js";

const functions = new FunctionRegistry();
for (const f of fixtureFunctions) functions.register(f);
const dir = await mkdtemp(join(tmpdir(), "sfn-"));
const svc = await createStepFunctionsService({ stateDir: dir, edgeUrl: "http://127.0.0.1:9", region: "us-east-1", accountId: "000000000000", functions }, { retryIntervalScale: 0.01 });
const fnArn = (n: string) => `arn:aws:lambda:us-east-1:000000000000:function:${n}`;
async function run(def: object, input: unknown) {
  const { stateMachineArn } = (await svc.handle("CreateStateMachine", { name: `m${Math.random().toString(36).slice(2)}`, definition: JSON.stringify(def), roleArn: "arn:aws:iam::000000000000:role/x" })) as { stateMachineArn: string };
  const { executionArn } = (await svc.handle("StartExecution", { stateMachineArn, input: JSON.stringify(input) })) as { executionArn: string };
  for (let i = 0; i < 300; i++) {
    const d = (await svc.handle("DescribeExecution", { executionArn })) as { status: string };
    if (d.status !== "RUNNING") break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const d = await svc.handle("DescribeExecution", { executionArn }) as Record<string, unknown>;
  console.log(d.status, d.output, d.error, d.cause);
  const h = (await svc.handle("GetExecutionHistory", { executionArn })) as { events: Record<string, unknown>[] };
  for (const e of h.events) { const { id, previousEventId, type, timestamp, ...rest } = e; console.log(" ", id, previousEventId, type, JSON.stringify(rest).slice(0, 140)); }
}
await run({ StartAt: "Each", States: { Each: { Type: "Map", ItemsPath: "$.items", ItemSelector: { "v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index" }, ItemProcessor: { StartAt: "Echo", States: { Echo: { Type: "Task", Resource: fnArn("fixture-echo"), End: true } } }, End: true } } }, { items: ["a", "b"] });
await run({ TimeoutSeconds: 1, StartAt: "Sleep", States: { Sleep: { Type: "Wait", Seconds: 5, Next: "Done" }, Done: { Type: "Succeed" } } }, {});
await run({ StartAt: "F", States: { F: { Type: "Fail" } } }, {});
await run({ StartAt: "T", States: { T: { Type: "Task", Resource: "arn:aws:states:::dynamodb:putItem", Parameters: {TableName: "x", Item: {}}, End: true } } }, {});
await run({ StartAt: "P", States: { P: { Type: "Pass", Parameters: { "bad.$": "$.missing" }, End: true } } }, {});
await svc.stop();
