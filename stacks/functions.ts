/**
 * One Lambda per function of the app manifest (core/app/manifest.ts): nodejs22.x, the same handler modules the
 * local cloud runs, X-Ray active tracing, and a role with exactly:
 * - what the code calls (its manifest access, permissions.ts),
 * - what its trigger needs from the role (an SQS consumer reads its queue and sends the messages it refuses to
 *   the queue's DLQ; an async target sends its failures to the events DLQ),
 * - writing its own log group and X-Ray segments.
 * SST's default AWSLambdaBasicExecutionRole (logs on `*`) is replaced by the log-group-scoped statement, its
 * trust policy is narrowed to Lambda, and nothing is `link`ed (links grant broad actions).
 */
import { type FunctionSpec, functionHandler } from "../core/app/function-spec.js";
import { ASYNC_FUNCTIONS, FUNCTION_NAMES, FUNCTIONS, type FunctionName } from "../core/app/manifest.js";
import { SECRETS, type SecretKey } from "../core/app/resources.js";
import { type Context, pascal } from "./context.js";
import { type PermissionTargets, type Statement, statementsFor } from "./permissions.js";

export const LAMBDA_RUNTIME = "nodejs22.x";
export const DEFAULT_MEMORY_MB = 512;
/** X-Ray has no resource-level permissions: `*` is the only resource these accept. */
export const XRAY_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"];
/** What a Lambda SQS event source mapping does with the function's role. */
export const SQS_CONSUMER_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"];
export const LOG_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"];
/** Retries of an async invocation (EventBridge targets) before it goes to the events DLQ. */
export const ASYNC_RETRIES = 2;

export interface FunctionWiring {
  /** Every function's environment (names, ARNs, settings: nothing secret). */
  environment: Record<string, $util.Input<string>>;
  /** Secret values; a function gets those its manifest entry names. */
  secrets: Record<SecretKey, $util.Input<string>>;
  targets: PermissionTargets;
  /** Queue ARN per consuming function. */
  consumes: Partial<Record<FunctionName, $util.Input<string>>>;
  /** The DLQ ARN of the queue a function consumes: it sends the messages it refuses there (core/runtime/sqs-batch.ts). */
  deadLetters: Partial<Record<FunctionName, $util.Input<string>>>;
  eventsDlqArn: $util.Input<string>;
  logRetention: "2 weeks" | "3 months";
  /** Every user pool of the account (`…:userpool/*`): Cognito triggers may be invoked by any tenant's pool. */
  userPoolsArn: $util.Input<string>;
}

export type Functions = Record<FunctionName, sst.aws.Function>;

export function createFunctions(ctx: Context, w: FunctionWiring): Functions {
  const entries = FUNCTION_NAMES.map((name) => {
    const spec: FunctionSpec = FUNCTIONS[name];
    const physicalName = ctx.physicalName(name);
    const queue = w.consumes[name];
    const deadLetters = w.deadLetters[name];
    const isAsync = ASYNC_FUNCTIONS.includes(name);
    const permissions: Statement[] = [
      ...statementsFor(spec.access, w.targets),
      ...(queue ? [{ actions: SQS_CONSUMER_ACTIONS, resources: [queue] }] : []),
      ...(deadLetters ? [{ actions: ["sqs:SendMessage"], resources: [deadLetters] }] : []),
      ...(isAsync ? [{ actions: ["sqs:SendMessage"], resources: [w.eventsDlqArn] }] : []),
      { actions: LOG_ACTIONS, resources: [ctx.arn("logs", `log-group:/aws/lambda/${physicalName}:*`)] },
      { actions: XRAY_ACTIONS, resources: ["*"] },
    ];
    const secrets = Object.fromEntries((spec.secrets ?? []).map((s) => [SECRETS[s], w.secrets[s]]));
    const fn = new sst.aws.Function(pascal(name), {
      name: physicalName,
      handler: functionHandler(name),
      runtime: LAMBDA_RUNTIME,
      architecture: "arm64",
      timeout: `${spec.timeoutSeconds} seconds`,
      memory: `${spec.memoryMB ?? DEFAULT_MEMORY_MB} MB`,
      description: spec.description,
      environment: { ...w.environment, ...secrets },
      permissions,
      logging: { retention: w.logRetention, format: "json" },
      ...(isAsync ? { retries: ASYNC_RETRIES } : {}),
      transform: {
        function: { tracingConfig: { mode: "Active" } },
        role: (args) => {
          args.managedPolicyArns = [];
          // SST's default trust also names the account root (for `sst dev`); deployed functions need only Lambda.
          args.assumeRolePolicy = aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" });
        },
        ...(isAsync
          ? {
              eventInvokeConfig: (args) => {
                args.destinationConfig = { onFailure: { destination: w.eventsDlqArn } };
              },
            }
          : {}),
      },
    });
    if (spec.invokedBy === "cognito-idp") {
      // Tenant pools are made at run time: any pool of this account may invoke the trigger.
      new aws.lambda.Permission(`${pascal(name)}CognitoInvoke`, {
        action: "lambda:InvokeFunction",
        function: fn.name,
        principal: "cognito-idp.amazonaws.com",
        sourceArn: w.userPoolsArn,
      });
    }
    return [name, fn] as const;
  });
  return Object.fromEntries(entries) as Functions;
}
