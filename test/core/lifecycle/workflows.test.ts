import aslValidator from "asl-validator";
import { describe, expect, it } from "vitest";
import { STATE_MACHINE_DEFINITIONS } from "../../../core/app/manifest.js";
import { CANCEL_STATES } from "../../../core/lifecycle/cancel.js";
import { OFFBOARD_STATES } from "../../../core/lifecycle/offboard.js";
import { PLAN_CHANGE_STATES } from "../../../core/lifecycle/plan-change.js";
import { REACTIVATE_STATES } from "../../../core/lifecycle/reactivate.js";
import { RESTORE_STATES } from "../../../core/lifecycle/restore.js";
import { SUSPEND_STATES } from "../../../core/lifecycle/suspend.js";
import {
  type Branch,
  type JsonValue,
  type StateMachineDefinition,
  walkStates,
} from "../../../core/workflow/asl.js";
import {
  LIFECYCLE_WORKFLOWS,
  type LifecycleWorkflow,
  STATE_MACHINE_OF,
} from "../../../core/workflow/names.js";
import { sqsRetry, transientRetry } from "../../../core/workflow/retry.js";
import {
  EMAILS_QUEUE_URL,
  embarkFunctionArn as fn,
  runStateMachine,
  type TaskHandler,
  TEST_REFS,
} from "../../support/state-machine-run.js";

/** The functions the lifecycle workflows may call. */
const LIFECYCLE_FUNCTIONS = [
  "set-tenant-status",
  "record-plan",
  "apply-namespace-policy",
  "apply-sign-in",
  "run-lifecycle-pipeline",
  "delete-namespace",
  "delete-identity",
  "set-purge-schedule",
  "export-tenant",
  // The onboarding step's function, reused after each transition to publish its lifecycle event.
  "publish-tenant-events",
];
const setTenantStatus = fn("set-tenant-status");
const recordPlan = fn("record-plan");
const definitionOf = (workflow: LifecycleWorkflow) =>
  STATE_MACHINE_DEFINITIONS[STATE_MACHINE_OF[workflow]](TEST_REFS);
const STATES = {
  "plan-change": PLAN_CHANGE_STATES,
  suspend: SUSPEND_STATES,
  reactivate: REACTIVATE_STATES,
  cancel: CANCEL_STATES,
  restore: RESTORE_STATES,
  offboard: OFFBOARD_STATES,
} as const;

function transitions(scope: Branch): string[] {
  return Object.values(scope.States).flatMap((s) => [
    ...("Next" in s && typeof s.Next === "string" ? [s.Next] : []),
    ...(s.Type === "Choice" ? [...s.Choices.map((c) => c.Next), ...(s.Default ? [s.Default] : [])] : []),
  ]);
}

describe.each(LIFECYCLE_WORKFLOWS)("the %s state machine (static checks)", (workflow) => {
  const def = definitionOf(workflow);
  const visits = walkStates(def);
  const tasks = visits.flatMap((v) => (v.state.Type === "Task" ? [{ name: v.name, state: v.state }] : []));

  it("is valid JSONPath ASL according to asl-validator", () => {
    const result = aslValidator(structuredClone(def), { checkPaths: true, checkArn: true });
    expect(result.errorsText()).toBe("");
    expect(def.QueryLanguage).toBe("JSONPath");
    expect(JSON.stringify(def)).not.toMatch(/\{%|Arguments|Assign/);
  });

  it("uses exactly its exported, readable state names, all reachable", () => {
    expect(visits.map((v) => v.name).sort()).toEqual(Object.values(STATES[workflow]).sort());
    const targets = transitions(def);
    for (const t of targets) expect(Object.keys(def.States)).toContain(t);
    for (const name of Object.keys(def.States)) expect([def.StartAt, ...targets], name).toContain(name);
  });

  it("gives every Task its Retry, and has no Catch and no Fail state", () => {
    for (const { name, state } of tasks) {
      expect(state.Retry, name).toEqual(
        state.Resource.endsWith("sqs:sendMessage") ? sqsRetry : transientRetry,
      );
      expect(state.Catch, name).toBeUndefined();
    }
    expect(visits.filter((v) => v.state.Type === "Fail")).toEqual([]);
  });

  it("calls only the resources it was given; emails are once per execution", () => {
    const known = new Set([...LIFECYCLE_FUNCTIONS.map(fn), EMAILS_QUEUE_URL]);
    for (const { name, state } of tasks) {
      const target = (state.Parameters?.FunctionName as string | undefined) ?? state.Resource;
      if (target.startsWith("arn:aws:states:::sqs")) {
        expect(state.Parameters?.QueueUrl, name).toBe(EMAILS_QUEUE_URL);
        expect(state.Parameters?.MessageBody, name).toMatchObject({ "occurrence.$": "$$.Execution.Name" });
      } else {
        expect(known.has(target), `${name} → ${target}`).toBe(true);
      }
    }
  });

  it("carries ids, never secrets: the task token only goes to the pipeline step", () => {
    for (const { name, state } of tasks) {
      const usesToken = JSON.stringify(state.Parameters ?? {}).includes("$$.Task.Token");
      expect(usesToken, name).toBe(state.Resource.endsWith(".waitForTaskToken"));
    }
  });
});

/**
 * Runs a definition in memory, each Lambda Task answered by `answers[functionArn]` (`{}` when there is none);
 * returns the Task states run, in order, and the output. Fails the test when the execution fails.
 */
async function run(
  def: StateMachineDefinition,
  input: Record<string, unknown>,
  answers: Record<string, (payload: Record<string, unknown>) => unknown>,
) {
  const handlers: Record<string, TaskHandler> = {};
  for (const { name, state } of walkStates(def)) {
    if (state.Type !== "Task") continue;
    const arn = (state.Parameters?.FunctionName as string | undefined) ?? state.Resource;
    handlers[name] = (raw) => {
      const payload = raw as Record<string, unknown>;
      const body = (payload.Payload as Record<string, unknown> | undefined) ?? payload;
      return (answers[arn]?.(body) ?? {}) as JsonValue;
    };
  }
  const result = await runStateMachine(def, input, handlers, {
    validation: { checkArn: false },
    waitTimes: { [SUSPEND_STATES.wait]: 0 },
    context: { Execution: { Name: "acme-test-1" }, Task: { Token: "token" } },
  });
  if (result.error) throw result.error;
  return { visited: result.tasks, output: result.output };
}

/** What record-plan answers for a move from Standard to Free; `changed: false` when a newer plan event won. */
const planRecorded = (changed: boolean) => () => ({
  changed,
  plan: "free",
  previousPlan: "standard",
  previousPlanName: "Standard",
  pipelineAction: "none",
});

describe("the lifecycle state machines (runs)", () => {
  it.each([
    {
      when: "without a dedicated-resources change skips the pipeline",
      changed: true,
      visits: [
        "Record new plan",
        "Publish tenant events",
        "Apply plan to namespace",
        "Send plan change email",
      ],
    },
    {
      // A superseded change wrote no event; the drain is harmless (and publishes anything left over).
      when: "superseded by a newer plan event does nothing after recording",
      changed: false,
      visits: ["Record new plan", "Publish tenant events"],
    },
  ])("PlanChange $when", async ({ changed, visits }) => {
    const { visited } = await run(
      definitionOf("plan-change"),
      { tenantId: "t-1", eventId: "evt_1", plan: "free" },
      { [recordPlan]: planRecorded(changed) },
    );
    expect(visited).toEqual(visits);
  });

  it("Suspend stops after the grace period when the payment recovered meanwhile", async () => {
    const def = definitionOf("suspend");
    const input = { tenantId: "t-1", eventId: "evt_1", suspendAt: "2020-01-01T00:00:00Z" };
    const recovered = await run(def, input, {
      [setTenantStatus]: () => ({ proceed: false, graceDays: "14" }),
    });
    expect(recovered.visited).toEqual(["Suspend tenant", "Publish tenant events"]);
    const suspended = await run(def, input, {
      [setTenantStatus]: () => ({ proceed: true, graceDays: "14" }),
    });
    expect(suspended.visited).toEqual([
      "Suspend tenant",
      "Publish tenant events",
      "Disable sign-in",
      "Scale namespace to zero",
      "Send suspension email",
    ]);
  });

  it("Offboard (the purge) tears down dedicated resources only for plans that have them; a restored tenant is left alone", async () => {
    const def = definitionOf("offboard");
    const input = { tenantId: "t-1", eventId: "evt_1" };
    const shared = await run(def, input, {
      [setTenantStatus]: () => ({ proceed: true, dedicatedResources: false }),
    });
    expect(shared.visited).toEqual([
      "Start offboarding",
      "Delete namespace",
      "Delete user pool",
      "Finish offboarding",
      "Publish tenant events",
      "Send deletion receipt",
    ]);
    const dedicated = await run(def, input, {
      [setTenantStatus]: () => ({ proceed: true, dedicatedResources: true }),
    });
    expect(dedicated.visited).toContain("Tear down dedicated resources");
    const restored = await run(def, input, {
      [setTenantStatus]: () => ({ proceed: false, dedicatedResources: true }),
    });
    expect(restored.visited).toEqual(["Start offboarding", "Keep purge scheduled"]);
  });

  it("Cancel deletes nothing: it exports first, then disables, scales to zero, stops dedicated resources and schedules the purge", async () => {
    const def = definitionOf("cancel");
    const input = { tenantId: "t-1", eventId: "evt_1" };
    const dedicated = await run(def, input, {
      [setTenantStatus]: () => ({ proceed: true, dedicatedResources: true }),
    });
    expect(dedicated.visited).toEqual([
      "Cancel tenant",
      "Publish tenant events",
      "Export tenant",
      "Disable sign-in",
      "Scale namespace to zero",
      "Stop dedicated resources",
      "Schedule purge",
      "Send cancellation email",
    ]);
    const restoredFirst = await run(def, input, {
      [setTenantStatus]: () => ({ proceed: false, dedicatedResources: false }),
    });
    expect(restoredFirst.visited).toEqual(["Cancel tenant", "Publish tenant events"]);
  });

  it("Restore undoes Cancel: purge schedule deleted, sign-in and quota back, dedicated resources started", async () => {
    const def = definitionOf("restore");
    const input = { tenantId: "t-1", eventId: "evt_2" };
    const restored = await run(def, input, {
      [setTenantStatus]: () => ({ proceed: true, dedicatedResources: true }),
    });
    expect(restored.visited).toEqual([
      "Restore tenant",
      "Publish tenant events",
      "Cancel purge",
      "Enable sign-in",
      "Restore namespace quota",
      "Start dedicated resources",
      "Send restore email",
    ]);
    const purged = await run(def, input, {
      [setTenantStatus]: () => ({ proceed: false, dedicatedResources: false }),
    });
    expect(purged.visited).toEqual(["Restore tenant", "Publish tenant events"]);
  });
});
