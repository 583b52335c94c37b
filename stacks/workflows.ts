/**
 * Step Functions state machines from the same core/ ASL the local cloud runs (JSONPath, so not SST's
 * StepFunctions component, which only builds JSONata): Standard type, every event logged to a log group,
 * X-Ray tracing, and a role that may invoke exactly the Lambdas and send to exactly the queues its definition
 * names (read from the definition itself). Add a workflow: one entry in WORKFLOW_MACHINES.
 */

import type { LifecycleResources } from "../core/lifecycle/email-task.js";
import { LIFECYCLE_MACHINES, LIFECYCLE_WORKFLOWS } from "../core/lifecycle/machines.js";
import type { FunctionName } from "../core/onboarding/resources.js";
import { type OnboardingResources, onboardingDefinition } from "../core/onboarding/workflow.js";
import { type StateMachineDefinition, walkStates } from "../core/workflow/asl.js";
import { STATE_MACHINE_NAMES } from "../core/workflow/names.js";
import { type Context, pascal } from "./context.js";
import type { Functions } from "./functions.js";
import type { Queues } from "./queues.js";

/** What a definition refers to, resolved to real ARNs/URLs. */
export interface WorkflowRefs {
  functionArns: Record<FunctionName, string>;
  queueUrls: { emails: string };
  queueArns: { emails: string };
}

export type WorkflowKey = keyof typeof STATE_MACHINE_NAMES;

export interface WorkflowMachine {
  key: WorkflowKey;
  definition(refs: WorkflowRefs): StateMachineDefinition;
}

const lifecycleResources = (r: WorkflowRefs): LifecycleResources => ({
  setTenantStatus: r.functionArns["set-tenant-status"],
  recordPlan: r.functionArns["record-plan"],
  applyNamespacePolicy: r.functionArns["apply-namespace-policy"],
  applySignIn: r.functionArns["apply-sign-in"],
  runLifecyclePipeline: r.functionArns["run-lifecycle-pipeline"],
  deleteNamespace: r.functionArns["delete-namespace"],
  deleteIdentity: r.functionArns["delete-identity"],
  emailsQueueUrl: r.queueUrls.emails,
});

const keyOfName = (name: string) =>
  (Object.keys(STATE_MACHINE_NAMES) as WorkflowKey[]).find((k) => STATE_MACHINE_NAMES[k] === name)!;

export const WORKFLOW_MACHINES: readonly WorkflowMachine[] = [
  {
    key: "onboarding",
    definition: (r) =>
      onboardingDefinition({
        reserveTenant: r.functionArns["reserve-tenant"],
        createIdentity: r.functionArns["create-identity"],
        setupNamespace: r.functionArns["setup-namespace"],
        startPipeline: r.functionArns["start-pipeline"],
        activateTenant: r.functionArns["activate-tenant"],
        emailsQueueUrl: r.queueUrls.emails,
      } satisfies OnboardingResources),
  },
  ...LIFECYCLE_WORKFLOWS.map((wf) => ({
    key: keyOfName(LIFECYCLE_MACHINES[wf].name),
    definition: (r: WorkflowRefs) => LIFECYCLE_MACHINES[wf].definition(lifecycleResources(r)),
  })),
];

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
export const stateMachineName = (ctx: Context, key: WorkflowKey) =>
  `${STATE_MACHINE_NAMES[key]}-${ctx.stage}`;

export const stateMachineArn = (ctx: Context, key: WorkflowKey) =>
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
  key: WorkflowKey;
  stateMachine: aws.sfn.StateMachine;
  role: aws.iam.Role;
  logGroup: aws.cloudwatch.LogGroup;
}

export function createWorkflows(
  ctx: Context,
  deps: { functions: Functions; queues: Queues; logRetentionDays: number },
): Partial<Record<WorkflowKey, Workflow>> {
  const { functions, queues } = deps;
  const refs = $util
    .all([
      $util.all(Object.fromEntries(Object.entries(functions).map(([name, fn]) => [name, fn.arn]))),
      queues.work.emails.queue.url,
      queues.work.emails.queue.arn,
    ])
    .apply(
      ([functionArns, emailsUrl, emailsArn]): WorkflowRefs => ({
        functionArns: functionArns as Record<FunctionName, string>,
        queueUrls: { emails: emailsUrl },
        queueArns: { emails: emailsArn },
      }),
    );

  const result: Partial<Record<WorkflowKey, Workflow>> = {};
  for (const machine of WORKFLOW_MACHINES) {
    const id = pascal(machine.key);
    const name = stateMachineName(ctx, machine.key);
    const logGroup = new aws.cloudwatch.LogGroup(`${id}WorkflowLogs`, {
      name: `/aws/vendedlogs/states/${name}`,
      retentionInDays: deps.logRetentionDays,
    });
    const role = new aws.iam.Role(`${id}WorkflowRole`, {
      assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "states.amazonaws.com" }),
      inlinePolicies: [
        {
          name: "workflow",
          policy: refs.apply((r) => {
            const { lambdas, queueUrls } = definitionTargets(machine.definition(r));
            const queueArns = queueUrls.map((url) => {
              const name = (Object.keys(r.queueUrls) as (keyof WorkflowRefs["queueUrls"])[]).find(
                (q) => r.queueUrls[q] === url,
              );
              if (!name) throw new Error(`${machine.key} sends to a queue stacks/ does not know: ${url}`);
              return r.queueArns[name];
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
      definition: refs.apply((r) => JSON.stringify(machine.definition(r))),
      loggingConfiguration: {
        level: "ALL",
        // Inputs carry ids only, but Task parameters include the pipeline step's task token: keep data out.
        includeExecutionData: false,
        logDestination: $interpolate`${logGroup.arn}:*`,
      },
      tracingConfiguration: { enabled: true },
    });
    result[machine.key] = { key: machine.key, stateMachine, role, logGroup };
  }
  return result;
}
