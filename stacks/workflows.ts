/**
 * Step Functions state machines of the app manifest, from the same core/ ASL the local cloud runs (JSONPath,
 * so not SST's StepFunctions component, which only builds JSONata): Standard type, every event logged to a log
 * group, X-Ray tracing, and a role that may invoke exactly the Lambdas and send to exactly the queues its
 * definition names (read from the definition itself).
 */
import { STATE_MACHINE_DEFINITIONS } from "../core/app/manifest.js";
import { type QueueKey, STATE_MACHINE_KEYS, type StateMachineKey } from "../core/app/resources.js";
import { type StateMachineDefinition, walkStates } from "../core/workflow/asl.js";
import { STATE_MACHINE_NAMES } from "../core/workflow/names.js";
import type { WorkflowRefs } from "../core/workflow/task.js";
import { type Context, pascal } from "./context.js";
import type { Functions } from "./functions.js";
import type { Queues } from "./queues.js";

/** Deployed ARNs and URLs, resolved. */
interface Resolved {
  functionArns: Record<string, string>;
  queueUrls: Record<QueueKey, string>;
  queueArns: Record<QueueKey, string>;
}

const refsOf = (r: Resolved): WorkflowRefs => ({
  functionArn: (name) => {
    const arn = r.functionArns[name];
    if (!arn) throw new Error(`A definition names the function ${name}, which the manifest does not have`);
    return arn;
  },
  queueUrl: (queue) => r.queueUrls[queue as QueueKey],
});

/** The Lambdas a definition's Tasks invoke and the queue URLs they send to. */
export function definitionTargets(definition: StateMachineDefinition): {
  lambdas: string[];
  queueUrls: string[];
} {
  const lambdas = new Set<string>();
  const queueUrls = new Set<string>();
  for (const { state } of walkStates(definition)) {
    if (state.Type !== "Task") continue;
    if (state.Resource.startsWith("arn:aws:states:::lambda:invoke"))
      lambdas.add(String(state.Parameters?.FunctionName));
    else if (state.Resource === "arn:aws:states:::sqs:sendMessage")
      queueUrls.add(String(state.Parameters?.QueueUrl));
    else if (state.Resource.includes(":lambda:")) lambdas.add(state.Resource);
    else
      throw new Error(`No IAM rule for the Task resource ${state.Resource}: add one in stacks/workflows.ts`);
  }
  return { lambdas: [...lambdas], queueUrls: [...queueUrls] };
}

/** `embark-onboarding-<stage>`: contains the core name, which the ops CLI looks state machines up by. */
export const stateMachineName = (ctx: Context, key: StateMachineKey) =>
  `${STATE_MACHINE_NAMES[key]}-${ctx.stage}`;

export const stateMachineArn = (ctx: Context, key: StateMachineKey) =>
  ctx.arn("states", `stateMachine:${stateMachineName(ctx, key)}`);

/** CloudWatch Logs vended delivery for Step Functions: AWS documents these on `*` only. */
export const SFN_LOG_DELIVERY_ACTIONS = [
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:DescribeResourcePolicies",
  "logs:DescribeLogGroups",
];
/** X-Ray has no resource-level permissions. */
export const SFN_XRAY_ACTIONS = [
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
];

export interface Workflow {
  key: StateMachineKey;
  stateMachine: aws.sfn.StateMachine;
  role: aws.iam.Role;
  logGroup: aws.cloudwatch.LogGroup;
}

export function createWorkflows(
  ctx: Context,
  deps: { functions: Functions; queues: Queues; logRetentionDays: number },
): Record<StateMachineKey, Workflow> {
  const { functions, queues } = deps;
  const each = <T>(pick: (q: Queues["work"][QueueKey]) => $util.Output<T>) =>
    $util.all(Object.fromEntries(Object.entries(queues.work).map(([k, q]) => [k, pick(q)])));
  const resolved = $util
    .all([
      $util.all(Object.fromEntries(Object.entries(functions).map(([name, fn]) => [name, fn.arn]))),
      each((q) => q.queue.url),
      each((q) => q.queue.arn),
    ])
    .apply(
      ([functionArns, queueUrls, queueArns]): Resolved => ({
        functionArns,
        queueUrls: queueUrls as Record<QueueKey, string>,
        queueArns: queueArns as Record<QueueKey, string>,
      }),
    );

  const result = {} as Record<StateMachineKey, Workflow>;
  for (const key of STATE_MACHINE_KEYS) {
    const definitionOf = (r: Resolved) => STATE_MACHINE_DEFINITIONS[key](refsOf(r));
    const id = pascal(key);
    const name = stateMachineName(ctx, key);
    const logGroup = new aws.cloudwatch.LogGroup(`${id}WorkflowLogs`, {
      name: `/aws/vendedlogs/states/${name}`,
      retentionInDays: deps.logRetentionDays,
    });
    const role = new aws.iam.Role(`${id}WorkflowRole`, {
      assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "states.amazonaws.com" }),
      inlinePolicies: [
        {
          name: "workflow",
          policy: resolved.apply((r) => {
            const { lambdas, queueUrls } = definitionTargets(definitionOf(r));
            const queueArns = queueUrls.map((url) => {
              const queue = (Object.keys(r.queueUrls) as QueueKey[]).find((q) => r.queueUrls[q] === url);
              if (!queue) throw new Error(`${key} sends to a queue stacks/ does not know: ${url}`);
              return r.queueArns[queue];
            });
            return JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Action: ["lambda:InvokeFunction"],
                  // Unqualified and qualified (version/alias) ARNs of exactly these functions.
                  Resource: lambdas.flatMap((arn) => [arn, `${arn}:*`]),
                },
                ...(queueArns.length > 0
                  ? [{ Effect: "Allow", Action: ["sqs:SendMessage"], Resource: queueArns }]
                  : []),
                { Effect: "Allow", Action: SFN_LOG_DELIVERY_ACTIONS, Resource: "*" },
                { Effect: "Allow", Action: SFN_XRAY_ACTIONS, Resource: "*" },
              ],
            });
          }),
        },
      ],
    });
    const stateMachine = new aws.sfn.StateMachine(`${id}StateMachine`, {
      name,
      type: "STANDARD",
      roleArn: role.arn,
      definition: resolved.apply((r) => JSON.stringify(definitionOf(r))),
      loggingConfiguration: {
        level: "ALL",
        // Inputs carry ids only, but Task parameters include the pipeline step's task token: keep data out.
        includeExecutionData: false,
        logDestination: $interpolate`${logGroup.arn}:*`,
      },
      tracingConfiguration: { enabled: true },
    });
    result[key] = { key, stateMachine, role, logGroup };
  }
  return result;
}
