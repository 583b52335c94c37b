/**
 * Scheduled (EventBridge Scheduler, core/app/manifest.ts SCHEDULES) every few minutes: one reconcile pass that
 * keeps every tenant's status true (design §2). Each action is logged with its tenant id and counted; the
 * number of DEGRADED tenants is the alarm's metric.
 */

import { pipeline } from "../core/app/deps/codepipeline.js";
import { identity } from "../core/app/deps/cognito.js";
import { plans, reconcileStore, records, tenants } from "../core/app/deps/dynamodb.js";
import { events } from "../core/app/deps/eventbridge.js";
import { inspectableCluster } from "../core/app/deps/kubernetes.js";
import { purgeSchedules } from "../core/app/deps/scheduler.js";
import { deadLetters } from "../core/app/deps/sqs.js";
import {
  offboardStateMachineArn,
  onboardingStateMachineArn,
  stateMachines,
  workflows,
} from "../core/app/deps/step-functions.js";
import { dependencies } from "../core/app/environment.js";
import { applyParked } from "../core/billing/route.js";
import { runReconcilePass } from "../core/reconcile/pass.js";
import { parseReconcileEvent } from "../core/reconcile/request.js";
import { lambda } from "../core/runtime/handler.js";

const deps = dependencies({
  tenants,
  store: reconcileStore,
  plans,
  identity,
  cluster: inspectableCluster,
  workflows,
  pipeline,
  deadLetters,
  onboardingStateMachineArn,
  offboardStateMachineArn,
  purgeSchedules,
  events,
  // Billing events a lost onboarding-ended event left parked: applied as the billing router would.
  parkedBilling: (env) => {
    const billing = dependencies({ tenants, plans, records, workflows, stateMachines }, env);
    return { apply: (tenantId: string) => applyParked(billing, tenantId) };
  },
});

export const handler = lambda("reconcile", async (event: unknown, _context, { logger, metrics }) => {
  const report = await runReconcilePass(deps, parseReconcileEvent(event), {
    action(a) {
      const log =
        a.outcome === "failed" ? logger.error : a.outcome === "repaired" ? logger.info : logger.warn;
      log.call(logger, `reconcile ${a.action}: ${a.problem}`, {
        tenantId: a.tenantId,
        slug: a.slug,
        check: a.check,
        outcome: a.outcome,
        ...(a.resource ? { resource: a.resource } : {}),
        ...(a.error ? { error: a.error } : {}),
      });
      const one = metrics.singleMetric();
      one.addDimension("Action", a.action);
      one.addDimension("Outcome", a.outcome);
      one.addMetric("ReconcileActions", "Count", 1);
    },
  });
  metrics.addMetric("DegradedTenants", "Count", report.degraded);
  metrics.addMetric(
    "TenantsReconciled",
    "Count",
    Object.values(report.checked).reduce((a, b) => a + b, 0),
  );
  logger.info("reconcile pass done", {
    dryRun: report.dryRun,
    durationMs: report.durationMs,
    checked: report.checked,
    actions: report.actions.length,
    degraded: report.degraded,
  });
  return report;
});
