/** Step Functions' state machines and executions, listed and described through its API. */
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionListItem,
  type ExecutionStatus,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  type SFNClient,
  type StateMachineListItem,
} from "@aws-sdk/client-sfn";
import { parseExecutionName } from "../../core/workflow/names.js";
import { awsErrorName } from "./aws-errors.js";
import { collectPages } from "./paginate.js";

export const EXECUTION_STATUSES: readonly ExecutionStatus[] = [
  "RUNNING",
  "SUCCEEDED",
  "FAILED",
  "TIMED_OUT",
  "ABORTED",
  "PENDING_REDRIVE",
];

/** The statuses RedriveExecution accepts. */
export const REDRIVABLE_STATUSES: readonly string[] = ["FAILED", "TIMED_OUT", "ABORTED"];

/** Every state machine, by name. */
export async function listStateMachines(sfn: SFNClient): Promise<StateMachineListItem[]> {
  const all = await collectPages(async (nextToken) => {
    const page = await sfn.send(new ListStateMachinesCommand({ nextToken }));
    return { items: page.stateMachines, next: page.nextToken };
  });
  return all.sort((a, b) => (a.name ?? "").localeCompare(b.name ?? ""));
}

export interface ExecutionFilter {
  status?: ExecutionStatus;
  /** Stop paging a state machine once this many of its executions are kept. */
  max: number;
  keep?: (e: ExecutionListItem) => boolean;
}

/** One state machine's executions, newest first (ListExecutions' order). */
export function listMachineExecutions(
  sfn: SFNClient,
  stateMachineArn: string,
  filter: ExecutionFilter,
): Promise<ExecutionListItem[]> {
  return collectPages(async (nextToken) => {
    const page = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn, statusFilter: filter.status, maxResults: 100, nextToken }),
    );
    const items = page.executions ?? [];
    return { items: filter.keep ? items.filter(filter.keep) : items, next: page.nextToken };
  }, filter.max);
}

/** The executions of several state machines, newest first. */
export async function listExecutionsOf(
  sfn: SFNClient,
  machines: readonly StateMachineListItem[],
  filter: ExecutionFilter,
): Promise<ExecutionListItem[]> {
  const arns = machines.flatMap((m) => (m.stateMachineArn ? [m.stateMachineArn] : []));
  const lists = await Promise.all(arns.map((arn) => listMachineExecutions(sfn, arn, filter)));
  return lists.flat().sort((a, b) => (b.startDate?.getTime() ?? 0) - (a.startDate?.getTime() ?? 0));
}

/** Keeps the executions of one tenant (execution names start with its slug, core/workflow/names.ts). */
export const ofTenant =
  (slug: string) =>
  (e: ExecutionListItem): boolean =>
    tenantSlugOf(e.name) === slug;

export function tenantSlugOf(executionName: string | undefined): string | undefined {
  return executionName ? parseExecutionName(executionName)?.slug : undefined;
}

/** `…:stateMachine:embark-onboarding` + `acme-onboard-1` → `…:execution:embark-onboarding:acme-onboard-1` */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
}

/** DescribeExecution; undefined when the execution or its state machine does not exist. */
export async function describeExecution(
  sfn: SFNClient,
  executionArn: string,
): Promise<DescribeExecutionCommandOutput | undefined> {
  try {
    return await sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (err) {
    const name = awsErrorName(err);
    if (name === "ExecutionDoesNotExist" || name === "StateMachineDoesNotExist") return undefined;
    throw err;
  }
}
