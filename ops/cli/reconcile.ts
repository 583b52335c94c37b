/**
 * `reconcile`: one reconcile pass on demand, the same core logic (core/reconcile/pass.ts) the scheduled
 * function runs, built here from the CLI's target: the tables, state machines, pools, cluster, pipeline and
 * DLQs it names. `--dry-run` reports what would be done and changes nothing; `--tenant` checks only those.
 */
import { CodePipelineClient } from "@aws-sdk/client-codepipeline";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { EKSClient } from "@aws-sdk/client-eks";
import { clusterFromEnvironment } from "../../core/adapters/cluster.js";
import { SqsDeadLetterQueue } from "../../core/adapters/dead-letters.js";
import { CognitoIdentityProvisioner } from "../../core/adapters/identity.js";
import { CodePipelineRunner } from "../../core/adapters/pipeline.js";
import { DynamoReconcileStore } from "../../core/adapters/reconcile-store.js";
import { StepFunctionsWorkflows } from "../../core/adapters/workflows.js";
import { LOCAL_NAMES, QUEUES, type QueueKey, SETTINGS } from "../../core/app/resources.js";
import type { ReconcileDeps } from "../../core/reconcile/deps.js";
import { type ReconcileRequest, runReconcilePass } from "../../core/reconcile/pass.js";
import { outcomeCounts, type ReconcileReport } from "../../core/reconcile/report.js";
import type { SettingsOverrides } from "../../core/reconcile/settings.js";
import { queueUrlOf, readQueue } from "../read/queues.js";
import type { OpsContext } from "./context.js";
import { UsageError } from "./errors.js";
import { duration, fields, table } from "./format.js";
import { StateMachines } from "./state-machines.js";

export interface ReconcileOptions {
  dryRun: boolean;
  tenants?: string;
  staleAfter?: string;
  orphanGrace?: string;
}

function minutes(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(`--${flag} expects a number of minutes, got "${value}"`, "reconcile");
  return n;
}

export async function reconcileCommand(ctx: OpsContext, opts: ReconcileOptions): Promise<void> {
  const settings: SettingsOverrides = {};
  const stale = minutes(opts.staleAfter, "stale-after");
  const grace = minutes(opts.orphanGrace, "orphan-grace");
  if (stale !== undefined) settings.staleAfterMinutes = stale;
  if (grace !== undefined) settings.orphanGraceMinutes = grace;
  const tenants = opts.tenants
    ?.split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  if (opts.tenants !== undefined && !tenants?.length)
    throw new UsageError("--tenant expects ids or slugs", "reconcile");
  const request: ReconcileRequest = { dryRun: opts.dryRun, settings, ...(tenants ? { tenants } : {}) };

  const report = await runReconcilePass(await reconcileDeps(ctx), request);
  ctx.print(report, () => human(report));
  const failed = outcomeCounts(report).failed;
  if (failed > 0)
    throw new Error(
      `${failed} repair${failed === 1 ? "" : "s"} failed (see FAILED above); a later pass tries again`,
    );
}

async function reconcileDeps(ctx: OpsContext): Promise<ReconcileDeps> {
  const { env, clientConfig } = ctx.target;
  const machines = new StateMachines(ctx);
  const tenants = ctx.tenants();
  const kubeconfig = ctx.target.kubeconfig;
  ctx.verbose(
    `cluster: ${kubeconfig ? `kubeconfig ${kubeconfig}` : `EKS ${env.EKS_CLUSTER_NAME ?? "(EKS_CLUSTER_NAME unset)"}`}`,
  );
  return {
    tenants,
    store: new DynamoReconcileStore(ctx.documents, tenants.tableName),
    plans: ctx.plans(),
    identity: new CognitoIdentityProvisioner(new CognitoIdentityProviderClient(clientConfig)),
    cluster: () =>
      clusterFromEnvironment(
        { ...env, ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}) },
        { eks: new EKSClient(clientConfig) },
      ),
    workflows: new StepFunctionsWorkflows(ctx.sfn),
    pipeline: new CodePipelineRunner(
      env[SETTINGS.pipelineName] ?? LOCAL_NAMES.pipeline,
      new CodePipelineClient(clientConfig),
    ),
    deadLetters: await deadLetterQueues(ctx),
    onboardingStateMachineArn: await machines.requireArn("onboarding"),
    offboardStateMachineArn: await machines.requireArn("offboard"),
  };
}

/** The DLQs to sweep: their URL variables, else the work queue's redrive policy, else the local names. */
async function deadLetterQueues(ctx: OpsContext): Promise<SqsDeadLetterQueue[]> {
  const { env } = ctx.target;
  const found: SqsDeadLetterQueue[] = [];
  for (const [key, q] of Object.entries(QUEUES) as [QueueKey, (typeof QUEUES)[QueueKey]][]) {
    if (!q.dlqEnv) continue;
    let url = env[q.dlqEnv];
    if (!url && q.env && env[q.env]) {
      const dlq = (await readQueue(ctx.sqs, env[q.env]!))?.deadLetterQueue;
      if (dlq) url = await queueUrlOf(ctx.sqs, dlq.name, dlq.arn.split(":")[4]);
    }
    url ??= await queueUrlOf(ctx.sqs, `${LOCAL_NAMES.queue(key)}-dlq`);
    if (url) found.push(new SqsDeadLetterQueue(url, ctx.sqs));
    else ctx.verbose(`no DLQ found for the ${key} queue (set ${q.dlqEnv}): its dead letters are not swept`);
  }
  return found;
}

function human(r: ReconcileReport): string {
  const counts = outcomeCounts(r);
  const checked = Object.entries(r.checked)
    .map(([s, n]) => `${s} ${n}`)
    .join(", ");
  const head = fields([
    ["Pass", `${r.dryRun ? "dry run (nothing changed)" : "done"} in ${duration(r.durationMs)}`],
    ["Tenants checked", checked || "none"],
    ["Continued next pass", r.continued.join(", ") || undefined],
    [
      "Actions",
      r.dryRun
        ? `${counts.planned} planned`
        : `${counts.repaired} repaired, ${counts.flagged} flagged, ${counts.failed} failed`,
    ],
    ["DEGRADED tenants", r.degraded],
    ["Swept", `${r.sweep.userPools} user pools, ${r.sweep.namespaces} namespaces`],
    [
      "Dead letters",
      r.sweep.deadLetters
        .map((d) => `${d.queue} ${d.depth}${d.inspected ? ` (${d.inspected} read)` : ""}`)
        .join(", ") || undefined,
    ],
    ["Not found", r.notFound.join(", ") || undefined],
  ]);
  const actions = table(r.actions, [
    { header: "TENANT", value: (a) => a.slug ?? a.tenantId },
    { header: "STATUS", value: (a) => a.status },
    { header: "CHECK", value: (a) => a.check },
    { header: "ACTION", value: (a) => a.action },
    { header: "OUTCOME", value: (a) => a.outcome.toUpperCase() },
    { header: "PROBLEM", value: (a) => (a.error ? `${a.problem} — ${a.error}` : a.problem), max: 120 },
  ]);
  return `${head}\n${actions}`;
}
