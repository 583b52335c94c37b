/**
 * Step Functions state machines from the same core/ ASL the local cloud runs (JSONPath, so not SST's
 * StepFunctions component, which only builds JSONata): Standard type, every event logged to a log group,
 * X-Ray tracing, and a role that may invoke exactly the Lambdas and queues the definition names.
 * Add a workflow: one entry in WORKFLOW_MACHINES (its definition from core/workflows/).
 */
import type { FunctionName } from "../core/onboarding/resources.js";
import type { StateMachineDefinition } from "../core/workflows/asl.js";
import { STATE_MACHINE_NAMES } from "../core/workflows/names.js";
import { type OnboardingResources, onboardingDefinition } from "../core/workflows/onboarding.js";
import { type Context, pascal } from "./context.js";
import type { Functions } from "./functions.js";
import type { Queues } from "./queues.js";

/** What a definition refers to, resolved to real ARNs/URLs. */
export interface WorkflowRefs {
  functionArns: Record<FunctionName, string>;
  queueUrls: { emails: string };
  queueArns: { emails: string };
}

export interface WorkflowMachine {
  /** Key in STATE_MACHINE_NAMES. */
  key: keyof typeof STATE_MACHINE_NAMES;
  definition(refs: WorkflowRefs): StateMachineDefinition;
  /** Lambdas its Tasks invoke and queues they send to: the state machine role gets exactly these. */
  invokes: readonly FunctionName[];
  sendsTo: readonly "emails"[];
}

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
    invokes: ["reserve-tenant", "create-identity", "setup-namespace", "start-pipeline", "activate-tenant"],
    sendsTo: ["emails"],
  },
];

/** `embark-onboarding-<stage>`: contains the core name, which the ops CLI looks state machines up by. */
export const stateMachineName = (ctx: Context, key: keyof typeof STATE_MACHINE_NAMES) =>
  `${STATE_MACHINE_NAMES[key]}-${ctx.stage}`;

export const stateMachineArn = (ctx: Context, key: keyof typeof STATE_MACHINE_NAMES) =>
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
  key: keyof typeof STATE_MACHINE_NAMES;
  stateMachine: aws.sfn.StateMachine;
  role: aws.iam.Role;
  logGroup: aws.cloudwatch.LogGroup;
}

export function createWorkflows(
  ctx: Context,
  deps: { functions: Functions; queues: Queues; logRetentionDays: number },
): Record<string, Workflow> {
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

  const result: Record<string, Workflow> = {};
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
          policy: refs.apply((r) =>
            JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Action: ["lambda:InvokeFunction"],
                  // Unqualified and qualified (version/alias) ARNs of exactly these functions.
                  Resource: machine.invokes.flatMap((f) => [r.functionArns[f], `${r.functionArns[f]}:*`]),
                },
                ...(machine.sendsTo.length > 0
                  ? [
                      {
                        Effect: "Allow",
                        Action: ["sqs:SendMessage"],
                        Resource: machine.sendsTo.map((q) => r.queueArns[q]),
                      },
                    ]
                  : []),
                { Effect: "Allow", Action: SFN_LOG_DELIVERY_ACTIONS, Resource: "*" },
                { Effect: "Allow", Action: SFN_XRAY_ACTIONS, Resource: "*" },
              ],
            }),
          ),
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
