/**
 * One function per invariant check (core/reconcile/invariants.ts): each reads what it must, says what is wrong
 * and how to repair it, and changes nothing itself (pass.ts carries the repairs out, unless it is a dry run).
 */

import { startPurge } from "../lifecycle/start-purge.js";
import { failedStateOf, humanCause } from "../onboarding/record-failure.js";
import { startOnboarding } from "../onboarding/start.js";
import type { ExecutionFacts } from "../ports.js";
import { type OnboardingStep, stepForStateName } from "../tenant/model.js";
import { namespaceForSlug } from "../tenant/slug.js";
import { executionName } from "../workflow/names.js";
import type { Finding, TenantContext } from "./context.js";
import { describeDrift, driftOf } from "./drift.js";
import type { CheckId } from "./invariants.js";

export type Checker = (c: TenantContext) => Promise<Finding[]>;

const ENDED = new Set(["FAILED", "TIMED_OUT", "ABORTED"]);
const HOUR = 3_600_000;

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.round(ms / HOUR);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

/** Not looked at while it is still making progress (a step wrote to the record recently). */
function stillMoving(c: TenantContext): boolean {
  return c.tenant.updatedAt > c.pass.minutesAgo(c.pass.settings.staleAfterMinutes);
}

/** The failure to record for an execution that ended: the state it stopped in, its error and cause. */
async function failureOf(c: TenantContext, ex: ExecutionFacts, name: string) {
  const stateName = failedStateOf(await c.d.workflows.history(ex.executionArn)) ?? "unknown";
  return {
    step: (stepForStateName(stateName) ?? stateName) as string,
    onboardingStep: stepForStateName(stateName),
    error: ex.error || `States.${ex.status}`,
    cause: humanCause(ex.cause, `Execution ${name} ended ${ex.status}`),
  };
}

/** Marks the onboarding FAILED as record-failure would have: the step failed, then the tenant. */
function markFailed(
  c: TenantContext,
  f: { step: string; onboardingStep?: OnboardingStep; error: string; cause: string },
): () => Promise<void> {
  return async () => {
    const { tenantId } = c.tenant;
    if (f.onboardingStep) {
      await c.d.tenants.markStep(tenantId, f.onboardingStep, "failed", {
        error: { name: f.error, message: f.cause },
      });
    }
    await c.d.tenants.transition(tenantId, "FAILED", {
      failure: { step: f.step, error: f.error, cause: f.cause, at: c.pass.now.toISOString() },
    });
  };
}

const onboardingExecution: Checker = async (c) => {
  if (stillMoving(c)) return [];
  const { tenant: t, d, pass } = c;
  const name = executionName(t.slug, "onboard", 1);
  const age = pass.ageOf(t.createdAt);
  const tooOld = age > pass.settings.maxProvisioningHours * HOUR;
  const ex = await d.workflows.describe(d.onboardingStateMachineArn, name);
  const check = "onboarding-execution" as const;

  if (!ex) {
    const problem = `No onboarding execution ${name} after ${duration(age)} (its signup message was lost or dead-lettered)`;
    if (!tooOld) {
      return [
        {
          check,
          action: "start-onboarding",
          problem,
          result: "repaired",
          repair: async () => {
            await startOnboarding(d, t.tenantId);
          },
        },
      ];
    }
    const cause = `${problem}; past ${pass.settings.maxProvisioningHours} h the reconciler gives up instead of starting it`;
    return [
      {
        check,
        action: "mark-failed",
        problem,
        result: "flagged",
        repair: markFailed(c, {
          step: "reserveTenant",
          onboardingStep: "reserveTenant",
          error: "Embark.OnboardingNeverStarted",
          cause,
        }),
      },
    ];
  }
  if (ex.status === "SUCCEEDED") {
    return [
      {
        check,
        action: "flag",
        problem: `Onboarding execution ${name} succeeded but the tenant is still PROVISIONING`,
        result: "flagged",
      },
    ];
  }
  if (!ENDED.has(ex.status)) return []; // RUNNING, or PENDING_REDRIVE: under way
  const why = `Onboarding execution ${name} ended ${ex.status}${ex.error ? ` (${ex.error})` : ""} but the tenant still says PROVISIONING`;
  if (!tooOld && ex.redriveCount < pass.settings.maxRedrives) {
    return [
      {
        check,
        action: "redrive-onboarding",
        problem: why,
        result: "repaired",
        repair: () => d.workflows.redrive(ex.executionArn),
      },
    ];
  }
  const failure = await failureOf(c, ex, name);
  return [
    {
      check,
      action: "mark-failed",
      problem: `${why}; ${tooOld ? `older than ${pass.settings.maxProvisioningHours} h` : `redriven ${ex.redriveCount} times`}`,
      result: "flagged",
      repair: markFailed(c, failure),
    },
  ];
};

const failureRecorded: Checker = async (c) => {
  const { tenant: t, d } = c;
  if (t.failure) return [];
  const name = executionName(t.slug, "onboard", 1);
  const ex = await d.workflows.describe(d.onboardingStateMachineArn, name);
  const problem = `The tenant is FAILED without a recorded failure`;
  if (!ex || !ENDED.has(ex.status)) {
    return [
      {
        check: "failure-recorded",
        action: "flag",
        problem: `${problem} (execution ${name}: ${ex?.status ?? "none"})`,
        result: "flagged",
      },
    ];
  }
  const f = await failureOf(c, ex, name);
  return [
    {
      check: "failure-recorded",
      action: "record-failure",
      problem: `${problem}: ${name} ended ${ex.status} at ${f.step}`,
      result: "flagged",
      change: { failure: { step: f.step, error: f.error, cause: f.cause, at: c.pass.now.toISOString() } },
    },
  ];
};

const POOL_GONE =
  "Its users and their passwords are gone and nobody can sign in; Embark does not re-create it, since a new pool " +
  "would have none of the users. Restore the users into a new pool and record its id, or offboard the tenant.";

/** Why the recorded pool is not the tenant's, or undefined when it is. */
async function poolProblem(c: TenantContext): Promise<string | undefined> {
  const id = c.tenant.resources.userPoolId;
  if (!id) return "No user pool is recorded for the tenant.";
  const pool = await c.pool();
  if (!pool) return `User pool ${id} no longer exists: it was deleted outside Embark. ${POOL_GONE}`;
  if (!pool.managedByEmbark || pool.tenantId !== c.tenant.tenantId) {
    return `User pool ${id} is not tagged as this tenant's (embark:tenant-id is ${pool.tenantId ?? "missing"}).`;
  }
  return undefined;
}

const userPool: Checker = async (c) => {
  const problem = await poolProblem(c);
  if (!problem) return [];
  return [
    {
      check: "user-pool",
      action: "degrade",
      problem,
      result: "flagged",
      change: { degrade: { check: "user-pool", reason: problem } },
    },
  ];
};

const appClient: Checker = async (c) => {
  const { tenant: t, d } = c;
  const poolId = t.resources.userPoolId;
  if (!poolId || (await poolProblem(c))) return []; // the pool check says what is wrong
  const clientId = t.resources.userPoolClientId;
  if (clientId && (await d.identity.appClientExists(poolId, clientId))) return [];
  return [
    {
      check: "app-client",
      action: "recreate-app-client",
      problem: clientId
        ? `App client ${clientId} of user pool ${poolId} is missing`
        : `No app client is recorded for user pool ${poolId}`,
      result: "repaired",
      repair: async () => {
        const id = await d.identity.ensureAppClient(poolId, clientId);
        await d.tenants.setResources(t.tenantId, { userPoolClientId: id });
      },
    },
  ];
};

const namespace: Checker = async (c) => {
  const t = c.tenant;
  const desired = await c.desired();
  if (!desired) {
    return [
      {
        check: "namespace",
        action: "flag",
        problem: `Plan "${t.plan}" is not in the catalog: the namespace and guard rails cannot be checked`,
        result: "flagged",
      },
    ];
  }
  const [ns, live] = [desired[0]!, (await c.live())[0]];
  const name = ns.metadata.name;
  if (live?.metadata.deletionTimestamp) {
    return [
      {
        check: "namespace",
        action: "flag",
        problem: `Namespace ${name} is being deleted (Terminating): re-created by a later pass once it is gone`,
        result: "flagged",
      },
    ];
  }
  const drift = live ? driftOf(ns, live) : [];
  if (live && drift.length === 0) return [];
  return [
    {
      check: "namespace",
      action: "apply-objects",
      problem: live
        ? `Namespace ${name}: ${describeDrift(drift)}`
        : `Namespace ${name} does not exist (deleted outside Embark): re-created with its guard rails`,
      result: "repaired",
      // Missing: everything inside went with it. Drifted labels: the namespace alone.
      repair: () => applyStubborn(c, live ? [0] : desired.map((_, i) => i)),
    },
  ];
};

const guardRails: Checker = async (c) => {
  const desired = await c.desired();
  const live = await c.live();
  if (!desired || !live[0] || live[0].metadata.deletionTimestamp) return []; // the namespace check covers it
  const broken: number[] = [];
  const problems: string[] = [];
  desired.forEach((want, i) => {
    if (i === 0) return;
    const have = live[i];
    const label = `${want.kind} ${want.metadata.name}`;
    if (!have) {
      broken.push(i);
      problems.push(`${label} is missing`);
      return;
    }
    const drift = driftOf(want, have);
    if (drift.length > 0) {
      broken.push(i);
      problems.push(`${label}: ${describeDrift(drift)}`);
    }
  });
  if (broken.length === 0) return [];
  return [
    {
      check: "guard-rails",
      action: "apply-objects",
      problem: `In namespace ${desired[0]!.metadata.name}: ${problems.join("; ")}`,
      result: "repaired",
      repair: () => applyStubborn(c, broken),
    },
  ];
};

/**
 * Server-side apply (force) restores every field Embark sets; what another manager added inside an owned
 * field (an extra key) survives an apply, so such objects are deleted and applied again.
 */
async function applyStubborn(c: TenantContext, indexes: number[]): Promise<void> {
  const desired = (await c.desired()) ?? [];
  const cluster = await c.pass.cluster();
  const objects = indexes.map((i) => desired[i]!);
  await cluster.apply(objects);
  const after = await cluster.read(objects);
  const stubborn = objects.filter((o, i) => {
    const live = after[i];
    return o.kind !== "Namespace" && live !== undefined && driftOf(o, live).length > 0;
  });
  for (const o of stubborn) await cluster.remove(o);
  if (stubborn.length > 0) await cluster.apply(stubborn);
}

const degradationRecorded: Checker = async (c) => {
  const degraded = c.tenant.reconcile?.degraded;
  if (!degraded) {
    return [
      {
        check: "degradation-recorded",
        action: "flag",
        problem: "The tenant is DEGRADED without a recorded reason",
        result: "flagged",
      },
    ];
  }
  if (degraded.check !== "user-pool" || (await poolProblem(c))) return [];
  return [
    {
      check: "degradation-recorded",
      action: "restore",
      problem: `User pool ${c.tenant.resources.userPoolId} is the tenant's again: back to ${degraded.previousStatus}`,
      result: "repaired",
      change: { restore: true },
    },
  ];
};

const offboardExecution: Checker = async (c) => {
  if (stillMoving(c)) return [];
  const { tenant: t, d, pass } = c;
  // The purge is numbered after its cancellation (core/lifecycle/start-purge.ts); older records by offboard.
  const n = t.runs?.cancel ?? t.runs?.offboard;
  if (!n) {
    return [
      {
        check: "offboard-execution",
        action: "flag",
        problem: `OFFBOARDING without an offboard execution: start one with \`npm run ops -- offboard ${t.slug}\``,
        result: "flagged",
      },
    ];
  }
  const name = executionName(t.slug, "offboard", n);
  const ex = await d.workflows.describe(d.offboardStateMachineArn, name);
  if (!ex) {
    return [
      {
        check: "offboard-execution",
        action: "flag",
        problem: `Offboard execution ${name} does not exist`,
        result: "flagged",
      },
    ];
  }
  if (!ENDED.has(ex.status)) return [];
  if (t.workflowFailure?.execution === name) return []; // the tenant says so; an operator decides
  if (ex.redriveCount >= pass.settings.maxRedrives) {
    return [
      {
        check: "offboard-execution",
        action: "flag",
        problem: `Offboard execution ${name} ended ${ex.status} after ${ex.redriveCount} redrives`,
        result: "flagged",
      },
    ];
  }
  return [
    {
      check: "offboard-execution",
      action: "redrive-offboarding",
      problem: `Offboard execution ${name} ended ${ex.status}${ex.error ? ` (${ex.error})` : ""} and nothing recorded it`,
      result: "repaired",
      repair: () => d.workflows.redrive(ex.executionArn),
    },
  ];
};

/** CANCELLED: the pool is kept (a restore needs its users) and nobody in it can sign in. */
const retainedPool: Checker = async (c) => {
  const id = c.tenant.resources.userPoolId;
  if (!id) return []; // cancelled before onboarding made one
  const problem = await poolProblem(c);
  if (problem) {
    // Not DEGRADED: the tenant stays CANCELLED and its purge goes ahead; a restore would need the pool back.
    return [{ check: "retained-pool", action: "flag", problem, result: "flagged" }];
  }
  const enabled = await c.d.identity.enabledUsers(id);
  if (enabled === 0) return [];
  return [
    {
      check: "retained-pool",
      action: "disable-users",
      problem: `${enabled} user(s) of user pool ${id} can still sign in although the tenant is CANCELLED`,
      result: "repaired",
      repair: () => c.d.identity.setUsersEnabled(id, false),
    },
  ];
};

const exportRecorded: Checker = async (c) => {
  if (c.tenant.export || stillMoving(c)) return [];
  return [
    {
      check: "export-recorded",
      action: "flag",
      problem:
        "The tenant is CANCELLED without an export: its cancel execution did not get that far; redrive it " +
        "(`npm run ops -- redrive`) before the purge",
      result: "flagged",
    },
  ];
};

/**
 * CANCELLED: the purge timer exists. A lost schedule is made again at purgeAfter (never earlier); a purge
 * overdue by staleAfterMinutes (the schedule fired into a failure, or was lost) is started, as the schedule would.
 */
const purgeTimer: Checker = async (c) => {
  const { tenant: t, d, pass } = c;
  if (!t.purgeAfter || !t.cancellation) {
    return [
      {
        check: "purge-timer",
        action: "flag",
        problem: "The tenant is CANCELLED without purgeAfter or its cancellation",
        result: "flagged",
      },
    ];
  }
  const purgeAfter = t.purgeAfter;
  const { eventId } = t.cancellation;
  const overdue = Date.parse(purgeAfter) < pass.now.getTime() - pass.settings.staleAfterMinutes * 60_000;
  if (overdue) {
    return [
      {
        check: "purge-timer",
        action: "start-purge",
        problem: `The purge was due at ${purgeAfter} and the tenant is still CANCELLED`,
        result: "repaired",
        repair: async () => {
          await startPurge(d, { tenantId: t.tenantId, eventId }, pass.now);
        },
      },
    ];
  }
  if (!d.purgeSchedules || Date.parse(purgeAfter) <= pass.now.getTime()) return [];
  const timer = await d.purgeSchedules.describe(t.tenantId);
  if (timer && timer.target.eventId === eventId) return [];
  const schedules = d.purgeSchedules;
  return [
    {
      check: "purge-timer",
      action: "schedule-purge",
      problem: timer
        ? `The purge schedule is for cancellation ${timer.target.eventId}, not ${eventId}`
        : `No purge schedule for the tenant (due ${purgeAfter})`,
      result: "repaired",
      repair: () => schedules.schedule(new Date(purgeAfter), { tenantId: t.tenantId, eventId }),
    },
  ];
};

const noUserPool: Checker = async (c) => {
  const id = c.tenant.resources.userPoolId;
  const pool = await c.pool();
  if (!id || !pool) return [];
  if (pool.tenantId !== c.tenant.tenantId) return []; // not the tenant's: the orphan sweep judges it
  return [
    {
      check: "no-user-pool",
      action: "delete-user-pool",
      problem: `User pool ${id} still exists after offboarding`,
      result: "repaired",
      repair: () => c.d.identity.deleteTenantIdentity(id),
    },
  ];
};

const noNamespace: Checker = async (c) => {
  const name = c.tenant.resources.namespace ?? namespaceForSlug(c.tenant.slug);
  const cluster = await c.pass.cluster();
  const [live] = await cluster.read([{ apiVersion: "v1", kind: "Namespace", metadata: { name } }]);
  if (!live || live.metadata.deletionTimestamp) return [];
  return [
    {
      check: "no-namespace",
      action: "delete-namespace",
      problem: `Namespace ${name} still exists after offboarding`,
      result: "repaired",
      repair: () => cluster.startNamespaceDelete(name),
    },
  ];
};

const noPipelineRun: Checker = async (c) => {
  const run = c.tenant.resources.pipelineExecutionId;
  if (!run) return [];
  const { status } = await c.d.pipeline.status(run);
  if (status !== "InProgress") return [];
  return [
    {
      check: "no-pipeline-run",
      action: "stop-pipeline-run",
      problem: `Pipeline run ${run} is still in progress after offboarding`,
      result: "repaired",
      repair: () =>
        c.d.pipeline.stop(run, `Tenant ${c.tenant.slug} is offboarded (stopped by the reconciler)`),
    },
  ];
};

/** Events parked while the tenant was onboarding, never applied: the event its onboarding's end sends was lost. */
const noParkedBilling: Checker = async (c) => {
  const parked = Object.keys(c.tenant.billing?.parked ?? {});
  if (parked.length === 0) return [];
  const billing = c.d.parkedBilling;
  const problem =
    `${parked.length} billing event(s) still parked though the onboarding ended: ${parked.join(", ")} ` +
    "(the onboarding's status-change event that applies them was lost)";
  if (!billing) return [{ check: "no-parked-billing", action: "flag", problem, result: "flagged" }];
  return [
    {
      check: "no-parked-billing",
      action: "apply-parked-billing",
      problem,
      result: "repaired",
      repair: async () => {
        await billing.apply(c.tenant.tenantId);
      },
    },
  ];
};

/** Dead letters are found by the pass's sweep of the DLQs (sweep.ts), not per tenant. */
const noDeadLetters: Checker = async () => [];

/** The implementation of each check of the invariant table. */
export const CHECKERS: Readonly<Record<CheckId, Checker>> = {
  "onboarding-execution": onboardingExecution,
  "failure-recorded": failureRecorded,
  "user-pool": userPool,
  "app-client": appClient,
  namespace,
  "guard-rails": guardRails,
  "degradation-recorded": degradationRecorded,
  "retained-pool": retainedPool,
  "export-recorded": exportRecorded,
  "purge-timer": purgeTimer,
  "offboard-execution": offboardExecution,
  "no-user-pool": noUserPool,
  "no-namespace": noNamespace,
  "no-pipeline-run": noPipelineRun,
  "no-dead-letters": noDeadLetters,
  "no-parked-billing": noParkedBilling,
};
