/**
 * What the operator tools read off a tenant record: its onboarding steps and resources, labelled, and where it
 * failed.
 */
import { ONBOARDING_STEPS, STEP_LABELS, stepLabel, type Tenant } from "../../core/tenant/model.js";

/** The onboarding steps in order, each with its label and progress. */
export function onboardingSteps(t: Tenant) {
  return ONBOARDING_STEPS.map((name) => ({ name, label: STEP_LABELS[name], ...t.steps[name] }));
}

/** The resources onboarding made for the tenant, labelled (undefined: not made yet). */
export function resourceFacts(t: Tenant): Array<[string, string | undefined]> {
  const r = t.resources;
  return [
    ["User pool", r.userPoolId],
    ["App client", r.userPoolClientId],
    ["Admin user", r.adminUsername],
    ["Namespace", r.namespace],
    ["Pipeline run", r.pipelineExecutionId],
  ];
}

/**
 * What is wrong: why it is DEGRADED, onboarding's recorded failure, a failed onboarding step, or a lifecycle
 * workflow's failure.
 */
export function failingStep(t: Tenant): { label: string; error?: string } | undefined {
  const degraded = t.status === "DEGRADED" ? t.reconcile?.degraded : undefined;
  if (degraded) return { label: `degraded: ${degraded.check}`, error: degraded.reason };
  if (t.failure) return { label: stepLabel(t.failure.step), error: t.failure.error };
  const failed = ONBOARDING_STEPS.find((s) => t.steps[s]?.status === "failed");
  if (failed) return { label: STEP_LABELS[failed], error: t.steps[failed].error?.name };
  const w = t.workflowFailure;
  return w ? { label: `${w.workflow}: ${w.step}`, error: w.error } : undefined;
}

/** What the reconciler found and did on the tenant, newest first (core/reconcile). */
export function reconcileEntries(t: Tenant) {
  return [...(t.reconcile?.entries ?? [])].reverse();
}
