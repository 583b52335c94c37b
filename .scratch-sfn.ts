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
const def = {
  StartAt: "Prepare",
  States: {
    Prepare: { Type: "Pass", Parameters: { "key.$": "$.key", "exec.$": "$$.Execution.Name", "state.$": "$$.State.Name" }, Next: "Flaky" },
    Flaky: { Type: "Task", Resource: fnArn("fixture-flaky"), Parameters: { "key.$": "$.key", failTimes: 2 }, Retry: [{ ErrorEquals: ["TransientError"], MaxAttempts: 3 }], ResultPath: "$.flaky", Next: "Both" },
    Both: { Type: "Parallel", Branches: [
      { StartAt: "Echo", States: { Echo: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: "fixture-echo", "Payload.$": "$", "retry.$": "$$.State.RetryCount" }, OutputPath: "$.Payload", End: true } } },
      { StartAt: "Nothing", States: { Nothing: { Type: "Pass", Result: 0, End: true } } },
    ], ResultPath: "$.both", Next: "Check" },
    Check: { Type: "Choice", Choices: [{ Variable: "$.flaky.attempts", NumericEquals: 3, Next: "Done" }], Default: "Bad" },
    Bad: { Type: "Fail", Error: "Bad" },
    Done: { Type: "Succeed" },
  },
};
const { stateMachineArn } = (await svc.handle("CreateStateMachine", { name: "smoke", definition: JSON.stringify(def), roleArn: "arn:aws:iam::000000000000:role/x" })) as { stateMachineArn: string };
const { executionArn } = (await svc.handle("StartExecution", { stateMachineArn, name: "e1", input: JSON.stringify({ key: "k1" }) })) as { executionArn: string };
for (let i = 0; i < 100; i++) {
  const d = (await svc.handle("DescribeExecution", { executionArn })) as { status: string };
  if (d.status !== "RUNNING") break;
  await new Promise((r) => setTimeout(r, 20));
}
console.log(await svc.handle("DescribeExecution", { executionArn }));
const h = (await svc.handle("GetExecutionHistory", { executionArn })) as { events: Record<string, unknown>[] };
for (const e of h.events) { const { id, previousEventId, type, timestamp, ...rest } = e; console.log(id, previousEventId, type, JSON.stringify(rest).slice(0, 200)); }
await svc.stop();
