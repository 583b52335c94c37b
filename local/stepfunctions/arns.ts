// ARNs and names of the local Step Functions, in AWS's formats.
import { AwsError } from "../aws/errors.js";

export interface ArnScope {
  region: string;
  accountId: string;
}

export function stateMachineArn(scope: ArnScope, name: string): string {
  return `arn:aws:states:${scope.region}:${scope.accountId}:stateMachine:${name}`;
}

export function executionArn(scope: ArnScope, stateMachineName: string, name: string): string {
  return `arn:aws:states:${scope.region}:${scope.accountId}:execution:${stateMachineName}:${name}`;
}

const STATE_MACHINE_ARN = /^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:stateMachine:([^:]+)$/;
const EXECUTION_ARN = /^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:execution:([^:]+):([^:]+)$/;

/** An ARN of the given shape, or InvalidArn as AWS answers. */
function checkArn(pattern: RegExp) {
  return (arn: unknown): string => {
    if (typeof arn !== "string" || !pattern.test(arn)) {
      throw new AwsError(
        "InvalidArn",
        `Invalid Arn: 'Resource type not valid in this context: ${String(arn)}'`,
      );
    }
    return arn;
  };
}

export const checkStateMachineArn = checkArn(STATE_MACHINE_ARN);
export const checkExecutionArn = checkArn(EXECUTION_ARN);

// AWS: 1–80 characters; no whitespace, brackets < > { } [ ], wildcards ? *, special characters
// " # % \ ^ | ~ ` $ & , ; : / or control characters (U+0000–001F, U+007F–009F).
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what AWS forbids
const FORBIDDEN_NAME_CHARS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

export function checkName(name: unknown, what: "state machine" | "execution"): string {
  if (typeof name !== "string" || name.length < 1 || name.length > 80 || FORBIDDEN_NAME_CHARS.test(name)) {
    throw new AwsError("InvalidName", `Invalid Name: '${String(name)}' is not a valid ${what} name`);
  }
  return name;
}

/** The state machine ARN an execution ARN (already checked) belongs to, and the execution's name. */
export function executionParts(executionArn: string): { stateMachineArn: string; name: string } {
  const [prefix, rest = ""] = executionArn.split(":execution:");
  const [machine, name = ""] = rest.split(":");
  return { stateMachineArn: `${prefix}:stateMachine:${machine}`, name };
}

/** The ARN of execution `name` of the state machine `stateMachineArn` (already checked). */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
}
