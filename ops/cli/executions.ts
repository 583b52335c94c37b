/**
 * `executions list`, `executions history`, `redrive`: Step Functions, read through ops/read (the history as
 * the shared timeline's rows, timeline.ts).
 */
import { type ExecutionListItem, type ExecutionStatus, RedriveExecutionCommand } from "@aws-sdk/client-sfn";
import { awsErrorName } from "../read/aws-errors.js";
import {
  EXECUTION_STATUSES,
  listMachineExecutions,
  ofTenant,
  REDRIVABLE_STATUSES,
  tenantSlugOf,
} from "../read/executions.js";
import { readHistory } from "../read/history.js";
import type { OpsContext } from "./context.js";
import { NotFoundError, UsageError } from "./errors.js";
import { type Column, duration, fields, parseJson, redact, table, time } from "./format.js";
import { parseWorkflow, StateMachines } from "./state-machines.js";
import type { WorkflowKey } from "./target.js";
import { buildTimeline, type TimelineEntry } from "./timeline.js";

export interface ExecutionSummary {
  name: string;
  workflow: WorkflowKey;
  tenantSlug?: string;
  status: string;
  startDate?: string;
  stopDate?: string;
  redriveCount: number;
  executionArn: string;
}

function summary(item: ExecutionListItem, workflow: WorkflowKey): ExecutionSummary {
  const tenantSlug = tenantSlugOf(item.name);
  return {
    name: item.name ?? "",
    workflow,
    ...(tenantSlug ? { tenantSlug } : {}),
    status: item.status ?? "UNKNOWN",
    ...(item.startDate ? { startDate: item.startDate.toISOString() } : {}),
    ...(item.stopDate ? { stopDate: item.stopDate.toISOString() } : {}),
    redriveCount: item.redriveCount ?? 0,
    executionArn: item.executionArn ?? "",
  };
}

/** Executions of the given workflows (all known ones by default), newest first, at most `limit` per workflow. */
export async function listExecutions(
  ctx: OpsContext,
  opts: { workflow?: WorkflowKey; status?: ExecutionStatus; limit: number; tenantSlug?: string },
): Promise<ExecutionSummary[]> {
  const machines = new StateMachines(ctx);
  const targets = opts.workflow
    ? [{ key: opts.workflow, arn: await machines.requireArn(opts.workflow) }]
    : await machines.all();
  const lists = await Promise.all(
    targets.map(async ({ key, arn }) => {
      try {
        const items = await listMachineExecutions(ctx.sfn, arn, {
          status: opts.status,
          max: opts.limit,
          ...(opts.tenantSlug ? { keep: ofTenant(opts.tenantSlug) } : {}),
        });
        return items.map((item) => summary(item, key));
      } catch (err) {
        if (awsErrorName(err) !== "StateMachineDoesNotExist") throw err;
        if (opts.workflow) throw new NotFoundError(`State machine ${arn} does not exist`);
        ctx.verbose(`skipping ${arn}: it does not exist`);
        return [];
      }
    }),
  );
  return lists
    .flat()
    .sort((a, b) => (b.startDate ?? "").localeCompare(a.startDate ?? ""))
    .slice(0, opts.limit);
}

export const executionColumns: Column<ExecutionSummary>[] = [
  { header: "NAME", value: (e) => e.name },
  { header: "WORKFLOW", value: (e) => e.workflow },
  { header: "STATUS", value: (e) => e.status },
  { header: "STARTED", value: (e) => time(e.startDate) },
  {
    header: "DURATION",
    value: (e) =>
      e.startDate
        ? duration(new Date(e.stopDate ?? Date.now()).getTime() - new Date(e.startDate).getTime())
        : undefined,
    right: true,
  },
  { header: "REDRIVES", value: (e) => e.redriveCount, right: true },
];

export function parseExecutionStatus(value: string | undefined): ExecutionStatus | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase().replace(/-/g, "_");
  if (!(EXECUTION_STATUSES as readonly string[]).includes(upper)) {
    throw new UsageError(
      `Unknown execution status "${value}"; choose one of: ${EXECUTION_STATUSES.join(", ")}`,
    );
  }
  return upper as ExecutionStatus;
}

export function parseLimit(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--limit expects a positive whole number, got "${value}"`);
  return n;
}

export async function executionsList(
  ctx: OpsContext,
  opts: { status?: string; workflow?: string; limit?: string },
): Promise<void> {
  const list = await listExecutions(ctx, {
    status: parseExecutionStatus(opts.status),
    workflow: opts.workflow === undefined ? undefined : parseWorkflow(opts.workflow),
    limit: parseLimit(opts.limit, 50),
  });
  ctx.print(list, () => table(list, executionColumns));
}

/** A Lambda failure's cause is a JSON document; its errorMessage is what a person wants to read. */
function readableCause(cause: string | undefined): string | undefined {
  const parsed = parseJson(cause);
  if (parsed && typeof parsed === "object" && "errorMessage" in parsed) return String(parsed.errorMessage);
  return cause;
}

function detail(e: TimelineEntry): string | undefined {
  if (e.kind === "retried") return `attempt ${e.attempt}`;
  if (e.kind === "redriven") return `redrive #${e.redriveCount}`;
  if (e.error || e.cause) return [e.error, readableCause(e.cause)].filter(Boolean).join(": ");
  return undefined;
}

export async function executionsHistory(
  ctx: OpsContext,
  ref: string,
  opts: { data?: boolean },
): Promise<void> {
  const execution = await new StateMachines(ctx).execution(ref);
  const arn = execution.executionArn ?? ref;
  const events = await readHistory(ctx.sfn, arn, { includeExecutionData: opts.data === true });
  const timeline = buildTimeline(events, { data: opts.data === true });
  const workflow = await new StateMachines(ctx).keyOf(execution.stateMachineArn);
  const head = {
    name: execution.name,
    executionArn: arn,
    workflow,
    status: execution.status,
    startDate: execution.startDate?.toISOString(),
    stopDate: execution.stopDate?.toISOString(),
    redriveCount: execution.redriveCount ?? 0,
    error: execution.error,
    cause: execution.cause,
    ...(opts.data
      ? { input: redact(parseJson(execution.input)), output: redact(parseJson(execution.output)) }
      : {}),
  };
  ctx.print({ ...head, timeline }, () => {
    const started = execution.startDate?.getTime();
    const header = fields([
      ["Execution", execution.name],
      ["Workflow", workflow],
      ["Status", execution.status],
      ["Started", time(execution.startDate)],
      ["Stopped", time(execution.stopDate)],
      ["Duration", started ? duration((execution.stopDate?.getTime() ?? Date.now()) - started) : undefined],
      ["Redrives", execution.redriveCount ? execution.redriveCount : undefined],
      ["Error", execution.error],
      ["Cause", readableCause(execution.cause)],
      ["ARN", arn],
    ]);
    const rows = table(timeline, [
      { header: "AT", value: (e) => `+${duration(e.offsetMs)}`, right: true },
      { header: "EVENT", value: (e) => e.kind },
      { header: "STATE", value: (e) => e.state },
      { header: "DURATION", value: (e) => duration(e.durationMs), right: true },
      { header: "DETAIL", value: detail, max: 100 },
    ]).split("\n");
    if (opts.data) {
      // Each row's data on indented lines under it (row i is line i + 1, after the header).
      const withData = [rows[0] ?? ""];
      timeline.forEach((e, i) => {
        withData.push(rows[i + 1] ?? "");
        if (e.input !== undefined) withData.push(`      input:  ${JSON.stringify(e.input)}`);
        if (e.output !== undefined) withData.push(`      output: ${JSON.stringify(e.output)}`);
      });
      return `${header}\n${withData.join("\n")}\n`;
    }
    return `${header}\n${rows.join("\n")}`;
  });
}

export async function redrive(ctx: OpsContext, ref: string): Promise<void> {
  const execution = await new StateMachines(ctx).execution(ref);
  const arn = execution.executionArn ?? ref;
  if (execution.status && !REDRIVABLE_STATUSES.includes(execution.status)) {
    throw new UsageError(
      `Execution ${execution.name} is ${execution.status}; only FAILED, TIMED_OUT or ABORTED executions can be redriven`,
    );
  }
  let redriveDate: Date | undefined;
  try {
    ({ redriveDate } = await ctx.sfn.send(new RedriveExecutionCommand({ executionArn: arn })));
  } catch (err) {
    if (awsErrorName(err) === "ExecutionNotRedrivable" || awsErrorName(err) === "ExecutionLimitExceeded") {
      throw new UsageError(`Cannot redrive ${execution.name}: ${(err as Error).message}`);
    }
    throw err;
  }
  const result = {
    name: execution.name,
    executionArn: arn,
    previousStatus: execution.status,
    redriveDate: redriveDate?.toISOString(),
  };
  ctx.print(
    result,
    () =>
      `Redriven ${execution.name} (was ${execution.status}) at ${time(redriveDate) ?? "now"}; it resumes from the failed state.\n` +
      `Follow it with: npm run ops -- executions history ${execution.name}\n`,
  );
}
