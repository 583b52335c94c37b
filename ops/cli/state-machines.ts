/**
 * Finds Embark's state machines (configured ARNs, else by name through ops/read) and executions by workflow,
 * execution name or ARN.
 */
import type { DescribeExecutionCommandOutput } from "@aws-sdk/client-sfn";
import {
  parseExecutionName,
  STATE_MACHINE_FOR_WORKFLOW,
  STATE_MACHINE_NAMES,
} from "../../core/workflow/names.js";
import { awsErrorName } from "../read/aws-errors.js";
import { describeExecution, executionArnOf, listStateMachines } from "../read/executions.js";
import type { OpsContext } from "./context.js";
import { NotFoundError, UsageError } from "./errors.js";
import { stateMachineEnvVar, WORKFLOW_KEYS, type WorkflowKey } from "./target.js";

/** `--workflow` values: the state machine keys and the workflow words used in execution names. */
const WORKFLOW_ALIASES: Record<string, WorkflowKey> = {
  ...Object.fromEntries(WORKFLOW_KEYS.map((k) => [k.toLowerCase(), k])),
  onboard: "onboarding",
  "plan-change": "planChange",
};

export function parseWorkflow(value: string): WorkflowKey {
  const key = WORKFLOW_ALIASES[value.toLowerCase()];
  if (!key) {
    throw new UsageError(`Unknown workflow "${value}"; choose one of: ${WORKFLOW_KEYS.join(", ")}`);
  }
  return key;
}

const keyOfName = (name: string) => WORKFLOW_KEYS.find((k) => STATE_MACHINE_NAMES[k] === name);

export class StateMachines {
  private discovered?: Promise<Partial<Record<WorkflowKey, string>>>;

  constructor(private readonly ctx: OpsContext) {}

  /** The ARN of a workflow's state machine: configured, or found by name; undefined if there is none. */
  async arn(key: WorkflowKey): Promise<string | undefined> {
    return this.ctx.target.stateMachineArns[key] ?? (await this.discover())[key];
  }

  /** Like arn(), but says which variable to set when the state machine is unknown. */
  async requireArn(key: WorkflowKey): Promise<string> {
    const arn = await this.arn(key);
    if (!arn) {
      throw new NotFoundError(
        `No state machine found for workflow ${key} (named ${STATE_MACHINE_NAMES[key]}); set ${stateMachineEnvVar(key)}`,
      );
    }
    return arn;
  }

  async all(): Promise<Array<{ key: WorkflowKey; arn: string }>> {
    const found = await Promise.all(WORKFLOW_KEYS.map(async (key) => ({ key, arn: await this.arn(key) })));
    return found.filter((f): f is { key: WorkflowKey; arn: string } => f.arn !== undefined);
  }

  /** The workflow a state machine ARN belongs to. */
  async keyOf(stateMachineArn: string | undefined): Promise<WorkflowKey | undefined> {
    if (!stateMachineArn) return undefined;
    const known = (await this.all()).find((s) => s.arn === stateMachineArn);
    return known?.key ?? keyOfName(stateMachineArn.split(":").at(-1) ?? "");
  }

  /**
   * State machines not configured through the environment, by name: the exact name, or the only one whose
   * name contains it (deploy tools add app/stage prefixes).
   */
  private discover(): Promise<Partial<Record<WorkflowKey, string>>> {
    const missing = WORKFLOW_KEYS.filter((k) => !this.ctx.target.stateMachineArns[k]);
    if (missing.length === 0) return Promise.resolve({});
    this.discovered ??= (async () => {
      let machines: Array<{ name: string; arn: string }>;
      try {
        machines = (await listStateMachines(this.ctx.sfn)).flatMap((m) =>
          m.name && m.stateMachineArn ? [{ name: m.name, arn: m.stateMachineArn }] : [],
        );
      } catch (err) {
        this.ctx.verbose(
          `ListStateMachines failed (${awsErrorName(err)}): only configured state machines are used`,
        );
        return {};
      }
      const result: Partial<Record<WorkflowKey, string>> = {};
      for (const key of missing) {
        const name = STATE_MACHINE_NAMES[key];
        const exact = machines.find((m) => m.name === name);
        const partial = machines.filter((m) => m.name.includes(name));
        const arn = exact?.arn ?? (partial.length === 1 ? partial[0]?.arn : undefined);
        if (arn) {
          result[key] = arn;
          this.ctx.verbose(`workflow ${key}: state machine ${arn} (found by name)`);
        }
      }
      return result;
    })();
    return this.discovered;
  }

  /** Describes an execution given by ARN or by name (`acme-onboard-1`); NotFoundError if there is none. */
  async execution(ref: string): Promise<DescribeExecutionCommandOutput> {
    if (ref.startsWith("arn:")) {
      const found = await this.describe(ref);
      if (!found) throw new NotFoundError(`Execution ${ref} does not exist`);
      return found;
    }
    const parts = parseExecutionName(ref);
    const keys = parts ? [keyOfName(STATE_MACHINE_FOR_WORKFLOW[parts.workflow])] : WORKFLOW_KEYS;
    const searched: string[] = [];
    for (const key of keys) {
      const smArn = key ? await this.arn(key) : undefined;
      if (!smArn) continue;
      searched.push(smArn.split(":").at(-1) ?? smArn);
      const found = await this.describe(executionArnOf(smArn, ref));
      if (found) return found;
    }
    const where = searched.length ? ` in ${searched.join(", ")}` : " (no state machine is configured)";
    throw new NotFoundError(`No execution named "${ref}"${where}`);
  }

  private async describe(executionArn: string): Promise<DescribeExecutionCommandOutput | undefined> {
    try {
      return await describeExecution(this.ctx.sfn, executionArn);
    } catch (err) {
      if (awsErrorName(err) === "InvalidArn") throw new UsageError(`Not an execution ARN: ${executionArn}`);
      throw err;
    }
  }
}
