/**
 * A purge schedule fired (EventBridge Scheduler, at the end of a cancelled tenant's grace period): start the
 * Offboard execution that purges it, named `<slug>-offboard-<n>` with the cancellation's number, so a repeated
 * invocation (Scheduler and Lambda deliver at least once; a crash re-fires a schedule) starts it once. A tenant
 * restored meanwhile is left alone; one whose grace period was extended gets its schedule moved.
 */
import * as z from "zod";
import type { PurgeSchedules, WorkflowRunner } from "../ports.js";
import type { TenantStore } from "../tenant/store.js";
import { executionName } from "../workflow/names.js";
import { StepError } from "../workflow/retry.js";

export const PurgeEvent = z.strictObject({
  tenantId: z.string().min(1).max(64),
  eventId: z.string().min(1).max(255),
});
export type PurgeEvent = z.infer<typeof PurgeEvent>;

export interface StartPurgeDeps {
  tenants: Pick<TenantStore, "get">;
  workflows: WorkflowRunner;
  offboardStateMachineArn: string;
  /** To move the schedule of a purge that is not due yet (the reconciler only starts overdue ones). */
  purgeSchedules?: PurgeSchedules;
}

export type StartPurgeOutcome =
  | { outcome: "started"; execution: string }
  | { outcome: "rescheduled"; purgeAfter: string }
  | { outcome: "skipped"; reason: string };

export async function startPurge(
  d: StartPurgeDeps,
  raw: unknown,
  now = new Date(),
): Promise<StartPurgeOutcome> {
  const parsed = PurgeEvent.safeParse(raw);
  if (!parsed.success) throw new StepError("ValidationError", `Not a purge event: ${parsed.error.message}`);
  const { tenantId, eventId } = parsed.data;
  const t = await d.tenants.get(tenantId);
  if (!t) return { outcome: "skipped", reason: `tenant ${tenantId} does not exist` };
  const n = t.runs?.cancel;
  const current = t.cancellation?.eventId === eventId;
  if (t.status === "OFFBOARDING" || t.status === "OFFBOARDED") {
    if (!current || !n) return { outcome: "skipped", reason: `the tenant is ${t.status}` };
  } else if (t.status !== "CANCELLED" || !current) {
    return {
      outcome: "skipped",
      reason: `the tenant is ${t.status}; cancellation ${eventId} is not current`,
    };
  } else if (t.purgeAfter && Date.parse(t.purgeAfter) > now.getTime()) {
    if (!d.purgeSchedules) return { outcome: "skipped", reason: `not due until ${t.purgeAfter}` };
    await d.purgeSchedules.schedule(new Date(t.purgeAfter), { tenantId, eventId });
    return { outcome: "rescheduled", purgeAfter: t.purgeAfter };
  }
  if (!n) throw new StepError("ValidationError", `Tenant ${t.slug} has no cancel execution number`);
  const execution = executionName(t.slug, "offboard", n);
  // The same name and input: Step Functions starts it once (a finished one is found, not restarted).
  await d.workflows.start(d.offboardStateMachineArn, execution, { tenantId, eventId });
  return { outcome: "started", execution };
}
