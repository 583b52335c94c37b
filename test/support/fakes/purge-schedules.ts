/**
 * An in-memory PurgeSchedules (core/ports.ts) for unit tests: one schedule per tenant (its time and target),
 * as the Scheduler adapter keeps one named schedule per tenant. Does not fire anything by itself: a test calls
 * `due(now)` and hands each target to startPurge, as Scheduler would invoke start-purge.
 */
import type { PurgeSchedules, PurgeTarget } from "../../../core/ports.js";

export class FakePurgeSchedules implements PurgeSchedules {
  readonly schedules = new Map<string, { at: string; target: PurgeTarget }>();
  readonly calls: string[] = [];

  async schedule(at: Date, target: PurgeTarget): Promise<void> {
    this.calls.push(`schedule ${target.tenantId}`);
    this.schedules.set(target.tenantId, { at: at.toISOString(), target: { ...target } });
  }

  async cancel(tenantId: string): Promise<void> {
    this.calls.push(`cancel ${tenantId}`);
    this.schedules.delete(tenantId);
  }

  async describe(tenantId: string) {
    return this.schedules.get(tenantId);
  }

  /** Schedules due at `now`, removed as Scheduler deletes a one-time schedule after it fired. */
  due(now: Date): PurgeTarget[] {
    const fired = [...this.schedules.values()].filter((s) => Date.parse(s.at) <= now.getTime());
    for (const s of fired) this.schedules.delete(s.target.tenantId);
    return fired.map((s) => s.target);
  }
}
