/**
 * The ops CLI's commands: usage, options and a lazy loader each, so `--help` and usage errors answer without
 * loading the AWS SDK.
 */
import type { CommandSpec, OptionSpec } from "./command-spec.js";
import { LIFECYCLE_COMMANDS } from "./lifecycle-commands.js";

const str = (v: string | boolean | undefined) => (typeof v === "string" ? v : undefined);

export const COMMANDS: CommandSpec[] = [
  {
    name: "tenants list",
    args: [],
    summary: "List tenants, newest first",
    options: {
      status: { type: "string", value: "S", description: "only tenants in status S (ACTIVE, FAILED, …)" },
    },
    run: async (ctx, _a, o) => (await import("./tenants.js")).tenantsList(ctx, { status: str(o.status) }),
  },
  {
    name: "tenants show",
    args: ["tenant"],
    summary: "A tenant's record, resources, onboarding steps, failure and executions",
    details: "<tenant> is the tenant id or its slug.",
    options: {},
    run: async (ctx, [ref]) => (await import("./tenants.js")).tenantsShow(ctx, ref ?? ""),
  },
  {
    name: "executions list",
    args: [],
    summary: "List workflow executions, newest first",
    options: {
      status: {
        type: "string",
        value: "S",
        description: "RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED or PENDING_REDRIVE",
      },
      workflow: {
        type: "string",
        value: "W",
        description: "onboarding, planChange, suspend, reactivate or offboard",
      },
      limit: { type: "string", value: "N", description: "at most N executions (default 50)" },
    },
    run: async (ctx, _a, o) =>
      (await import("./executions.js")).executionsList(ctx, {
        status: str(o.status),
        workflow: str(o.workflow),
        limit: str(o.limit),
      }),
  },
  {
    name: "executions history",
    args: ["execution"],
    summary: "An execution's timeline: states entered/exited, failures, retries, durations",
    details: "<execution> is its name (acme-onboard-1) or ARN. Task tokens and passwords are never printed.",
    options: { data: { type: "boolean", description: "also show each state's input and output" } },
    run: async (ctx, [ref], o) =>
      (await import("./executions.js")).executionsHistory(ctx, ref ?? "", { data: o.data === true }),
  },
  {
    name: "redrive",
    args: ["execution"],
    summary: "Redrive a failed execution from the state that failed",
    details: "<execution> is its name (acme-onboard-1) or ARN; only FAILED, TIMED_OUT or ABORTED executions.",
    options: {},
    run: async (ctx, [ref]) => (await import("./executions.js")).redrive(ctx, ref ?? ""),
  },
  {
    name: "dlq list",
    args: [],
    summary: "Every queue with a dead-letter queue, with the depth of both",
    options: { prefix: { type: "string", value: "P", description: "only queues whose name starts with P" } },
    run: async (ctx, _a, o) => (await import("./dlq.js")).dlqList(ctx, { prefix: str(o.prefix) }),
  },
  {
    name: "dlq redrive",
    args: ["queue"],
    summary: "Move a DLQ's messages back to its source queue (StartMessageMoveTask)",
    details: "<queue> is the source queue's name or its DLQ's name.",
    options: {
      "no-wait": { type: "boolean", description: "start the move and return without waiting for it" },
      timeout: {
        type: "string",
        value: "SEC",
        description: "wait at most SEC seconds for the move (default 120)",
      },
    },
    run: async (ctx, [queue], o) => {
      const timeout = str(o.timeout) ?? "120";
      const seconds = Number(timeout);
      if (!Number.isFinite(seconds) || seconds <= 0) {
        const { UsageError } = await import("./errors.js");
        throw new UsageError(`--timeout expects a number of seconds, got "${timeout}"`, "dlq redrive");
      }
      return (await import("./dlq.js")).dlqRedrive(ctx, queue ?? "", {
        wait: o["no-wait"] !== true,
        timeoutSeconds: seconds,
      });
    },
  },
  {
    name: "plans list",
    args: [],
    summary: "The plan catalog (stored plans over the shipped defaults)",
    options: {},
    run: async (ctx) => (await import("./plans.js")).plansList(ctx),
  },
  {
    name: "plans show",
    args: ["plan"],
    summary: "Every field of a plan, by the dotted path `plans set` takes",
    options: {},
    run: async (ctx, [plan]) => (await import("./plans.js")).plansShow(ctx, plan ?? ""),
  },
  {
    name: "plans set",
    args: ["plan", "field", "value"],
    summary: "Change one field of a plan, validated, without a redeploy",
    details:
      "<field> is a dotted path: quota.pods, quota.requests.cpu, limits.max.memory, monthlyPriceUsd,\n" +
      "dedicatedResources, features (a JSON array), emails.welcome.subject … (see `plans show <plan>`).",
    options: {},
    run: async (ctx, [plan, field, value]) =>
      (await import("./plans.js")).plansSet(ctx, plan ?? "", field ?? "", value ?? ""),
  },
  ...LIFECYCLE_COMMANDS,
  {
    name: "reconcile",
    args: [],
    summary: "One reconcile pass: check every status's invariant (design §2), repair or flag what drifted",
    details:
      "The scheduled reconcile function runs the same pass every few minutes. A full pass takes a bounded page\n" +
      "of each status (round-robin) and one page of the orphan sweep; --tenant checks only those tenants (ids or\n" +
      "slugs, comma-separated; an id without a tenant is swept for orphans). Exit 1 when a repair failed.",
    options: {
      "dry-run": { type: "boolean", description: "report what would be done; change nothing" },
      tenant: {
        type: "string",
        value: "T",
        description: "only these tenants (ids or slugs, comma-separated)",
      },
      "stale-after": {
        type: "string",
        value: "MIN",
        description: "look at PROVISIONING/OFFBOARDING tenants idle this long (default 15)",
      },
      "orphan-grace": {
        type: "string",
        value: "MIN",
        description: "delete orphans once this old (default 1440)",
      },
    },
    run: async (ctx, _a, o) =>
      (await import("./reconcile.js")).reconcileCommand(ctx, {
        dryRun: o["dry-run"] === true,
        tenants: str(o.tenant),
        staleAfter: str(o["stale-after"]),
        orphanGrace: str(o["orphan-grace"]),
      }),
  },
];

export const GLOBAL_OPTIONS: Record<string, OptionSpec & { short?: string }> = {
  json: { type: "boolean", description: "print JSON (for scripts) instead of tables" },
  stage: {
    type: "string",
    value: "<stage>",
    description:
      "on AWS: the deployed stage whose resources to use (read from SSM /embark/<stage>/resources)",
  },
  verbose: { type: "boolean", description: "say which AWS target and resources are used (on stderr)" },
  help: { type: "boolean", short: "h", description: "show help" },
};
