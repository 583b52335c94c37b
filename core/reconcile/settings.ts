/**
 * How a reconcile pass behaves: what counts as stale or too old, the grace before orphans are deleted, and how
 * much work one pass may do (per status, per sweep). The schedule's event, the ops CLI and tests override parts.
 */
import { z } from "zod";
import { TENANT_STATUSES, type TenantStatus } from "../tenant/status.js";

const minutes = z
  .number()
  .min(0)
  .max(60 * 24 * 365);
const count = z.int().min(0).max(1000);

export const ReconcileSettings = z.object({
  /** A PROVISIONING or OFFBOARDING tenant is looked at once it has made no progress for this long. */
  staleAfterMinutes: minutes,
  /** Past this age a PROVISIONING tenant that cannot go on is marked FAILED instead of started or redriven. */
  maxProvisioningHours: z
    .number()
    .min(0)
    .max(24 * 365),
  /** Redrives the reconciler starts for one execution before it gives up and records the failure. */
  maxRedrives: z.int().min(0).max(100),
  /** An orphan (a pool or namespace of a tenant that does not exist) is deleted once it is this old. */
  orphanGraceMinutes: minutes,
  /** OFFBOARDED tenants changed within this many days are checked for leftovers. */
  offboardedWindowDays: z.number().min(0).max(3650),
  /** Tenants looked at per pass, per status (round-robin with a cursor where a status has more). */
  perStatus: z.object(
    Object.fromEntries(TENANT_STATUSES.map((s) => [s, count])) as Record<TenantStatus, typeof count>,
  ),
  /** Sweep bounds per pass: pools (one ListUserPools page), namespaces (one list page), dead letters. */
  sweep: z.object({ userPools: z.int().min(0).max(60), namespaces: count, deadLetters: count }),
});
export type ReconcileSettings = z.infer<typeof ReconcileSettings>;

export const DEFAULT_SETTINGS: ReconcileSettings = {
  staleAfterMinutes: 15,
  maxProvisioningHours: 24,
  maxRedrives: 3,
  orphanGraceMinutes: 24 * 60,
  offboardedWindowDays: 7,
  perStatus: {
    PROVISIONING: 50,
    FAILED: 50,
    ACTIVE: 25,
    SUSPENDED: 10,
    DEGRADED: 10,
    CANCELLED: 10,
    OFFBOARDING: 10,
    OFFBOARDED: 10,
  },
  sweep: { userPools: 60, namespaces: 100, deadLetters: 20 },
};

/** Overrides as the event, the CLI or a test give them (nested objects merged). */
export const SettingsOverrides = z
  .object({
    staleAfterMinutes: minutes,
    maxProvisioningHours: z.number().min(0),
    maxRedrives: z.int().min(0).max(100),
    orphanGraceMinutes: minutes,
    offboardedWindowDays: z.number().min(0),
    perStatus: ReconcileSettings.shape.perStatus.partial(),
    sweep: ReconcileSettings.shape.sweep.partial(),
  })
  .partial()
  .strict();
export type SettingsOverrides = z.infer<typeof SettingsOverrides>;

export function settingsWith(overrides: SettingsOverrides = {}): ReconcileSettings {
  return ReconcileSettings.parse({
    ...DEFAULT_SETTINGS,
    ...overrides,
    perStatus: { ...DEFAULT_SETTINGS.perStatus, ...overrides.perStatus },
    sweep: { ...DEFAULT_SETTINGS.sweep, ...overrides.sweep },
  });
}
