/** The reconcile function's event: what the schedule sends (`{}`), or an operator's targeted or dry run. */
import { z } from "zod";
import { describeIssues } from "../plans/schema.js";
import { InvalidReconcileRequestError } from "./errors.js";
import type { ReconcileRequest } from "./pass.js";
import { SettingsOverrides } from "./settings.js";

export const ReconcileEvent = z
  .object({
    dryRun: z.boolean().optional(),
    tenants: z.array(z.string().min(1).max(100)).min(1).max(100).optional(),
    settings: SettingsOverrides.optional(),
  })
  .strict();

export function parseReconcileEvent(event: unknown): ReconcileRequest {
  const parsed = ReconcileEvent.safeParse(event ?? {});
  if (!parsed.success) {
    throw new InvalidReconcileRequestError(
      `Invalid reconcile request: ${describeIssues(parsed.error.issues)}`,
    );
  }
  return parsed.data;
}
