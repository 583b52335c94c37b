/**
 * The contract of the billing records the lifecycle steps use (LifecycleDeps["records"]: transitionIf,
 * recordPlan, planChangeOf) and of what puts a tenant where the billing router leaves it (ensureBillingMaps,
 * mark), run against the in-memory fake (records.test.ts) and DynamoBillingRecords on the local cloud
 * (records.cloud.test.ts), so the lifecycle step tests' fake keeps DynamoDB's conditions. Every case makes
 * tenants of its own.
 */
import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import type { BillingRecords } from "../../../core/billing/records.js";
import { newTenant, type Tenant } from "../../../core/tenant/model.js";
import type { TenantStatus } from "../../../core/tenant/status.js";
import type { TenantStore } from "../../../core/tenant/store.js";

export type ContractRecords = Pick<
  BillingRecords,
  "transitionIf" | "recordPlan" | "planChangeOf" | "ensureBillingMaps" | "mark" | "recordWorkflowFailure"
>;

const run = randomUUID().slice(0, 8);
let n = 0;

export function billingRecordsContract(
  label: string,
  make: () => { tenants: TenantStore; records: ContractRecords },
): void {
  describe(`billing records contract (lifecycle): ${label}`, () => {
    let tenants: TenantStore;
    let records: ContractRecords;
    beforeEach(() => {
      ({ tenants, records } = make());
    });

    /** A tenant in `status` (through legal moves), with the billing maps unless told otherwise. */
    async function aTenant(status: TenantStatus = "ACTIVE", opts: { maps?: boolean } = {}): Promise<Tenant> {
      n += 1;
      const t = newTenant({
        slug: `records-${run}-${n}`,
        companyName: `Records ${n}`,
        adminEmail: `admin${n}@records.example`,
        plan: "standard",
      });
      await tenants.create(t);
      const path: Record<TenantStatus, TenantStatus[]> = {
        PROVISIONING: [],
        ACTIVE: ["ACTIVE"],
        FAILED: ["FAILED"],
        SUSPENDED: ["ACTIVE", "SUSPENDED"],
        DEGRADED: ["ACTIVE", "DEGRADED"],
        CANCELLED: ["ACTIVE", "CANCELLED"],
        OFFBOARDING: ["ACTIVE", "CANCELLED", "OFFBOARDING"],
        OFFBOARDED: ["ACTIVE", "CANCELLED", "OFFBOARDING", "OFFBOARDED"],
      };
      for (const to of path[status]) await tenants.transition(t.tenantId, to);
      if (opts.maps !== false) await records.ensureBillingMaps(t);
      return tenants.require(t.tenantId);
    }

    let created = 1_760_000_000;
    const event = (id = `evt_${randomUUID().slice(0, 8)}`) => ({ id, created: ++created });

    async function standing(t: Tenant, expectStatus: TenantStatus = "ACTIVE") {
      const e = event();
      const res = await records.mark({
        tenantId: t.tenantId,
        aspect: "standing",
        event: e,
        expectStatus,
        mark: { eventId: e.id, created: e.created, value: "failed", workflow: "suspend" },
      });
      expect(res.applied).toBe(true);
      return e.id;
    }

    async function planEvent(t: Tenant, plan: string) {
      const e = event();
      await records.mark({
        tenantId: t.tenantId,
        aspect: "plan",
        event: e,
        expectStatus: t.status,
        mark: { eventId: e.id, created: e.created, value: plan, workflow: "plan-change" },
      });
      return e.id;
    }

    describe("mark", () => {
      it("applies newer events of an aspect only, ordered by created then id, counting the workflow's runs", async () => {
        const t = await aTenant();
        const at = ++created;
        const mark = (id: string, created: number) =>
          records.mark({
            tenantId: t.tenantId,
            aspect: "standing",
            event: { id, created },
            expectStatus: "ACTIVE",
            mark: { eventId: id, created, value: "failed", workflow: "suspend" },
          });
        expect(await mark("evt_b", at)).toEqual({ applied: true, n: 1 });
        expect(await mark("evt_a", at)).toEqual({ applied: false });
        expect(await mark("evt_b", at)).toEqual({ applied: false });
        expect(await mark("evt_old", at - 1)).toEqual({ applied: false });
        expect(await mark("evt_c", at)).toEqual({ applied: true, n: 2 });
        const after = await tenants.require(t.tenantId);
        expect(after.billing?.standing?.eventId).toBe("evt_c");
        expect(after.runs).toEqual({ suspend: 2 });
      });

      it("applies only at the status the decision was made on; a cancellation again only when newer", async () => {
        const t = await aTenant("ACTIVE");
        const e = event();
        const mark = { eventId: e.id, created: e.created, workflow: "cancel" as const };
        const base = { tenantId: t.tenantId, aspect: "cancel" as const, event: e, mark };
        expect(await records.mark({ ...base, expectStatus: "SUSPENDED" })).toEqual({ applied: false });
        expect(await records.mark({ ...base, expectStatus: "ACTIVE" })).toEqual({ applied: true, n: 1 });
        // The same cancellation again (a duplicate delivery racing the first) does not count twice.
        expect(await records.mark({ ...base, expectStatus: "ACTIVE" })).toEqual({ applied: false });
        // A restore (marked on the same aspect), then an older cancellation: refused; a newer one: applied.
        const restore = event();
        const restoreMark = { eventId: restore.id, created: restore.created, workflow: "restore" as const };
        expect(
          await records.mark({ ...base, event: restore, mark: restoreMark, expectStatus: "ACTIVE" }),
        ).toEqual({ applied: true, n: 1 });
        expect(await records.mark({ ...base, expectStatus: "ACTIVE" })).toEqual({ applied: false });
        const later = event();
        expect(
          await records.mark({
            ...base,
            event: later,
            mark: { ...mark, eventId: later.id, created: later.created },
            expectStatus: "ACTIVE",
          }),
        ).toEqual({ applied: true, n: 2 });
      });

      it("needs the billing maps first (DynamoDB refuses a nested write into a missing map)", async () => {
        const t = await aTenant("ACTIVE", { maps: false });
        const e = event();
        const mark = () =>
          records.mark({
            tenantId: t.tenantId,
            aspect: "plan",
            event: e,
            expectStatus: "ACTIVE",
            mark: { eventId: e.id, created: e.created, value: "free", workflow: "plan-change" },
          });
        await expect(mark()).rejects.toMatchObject({ name: "ValidationException" });
        await records.ensureBillingMaps(t);
        await records.ensureBillingMaps(await tenants.require(t.tenantId));
        expect(await mark()).toEqual({ applied: true, n: 1 });
      });
    });

    describe("transitionIf", () => {
      it("moves only from the statuses given, setting and removing attributes", async () => {
        const t = await aTenant("ACTIVE");
        const suspendedAt = new Date().toISOString();
        const move = { tenantId: t.tenantId, to: "SUSPENDED" as const, set: { suspendedAt } };
        expect(await records.transitionIf({ ...move, from: ["SUSPENDED"] })).toBe(false);
        expect(await tenants.require(t.tenantId)).toEqual(t);

        expect(await records.transitionIf({ ...move, from: ["ACTIVE"] })).toBe(true);
        const suspended = await tenants.require(t.tenantId);
        expect(suspended).toMatchObject({ status: "SUSPENDED", suspendedAt, version: t.version + 1 });

        const back = { tenantId: t.tenantId, from: ["SUSPENDED" as const], to: "ACTIVE" as const };
        expect(await records.transitionIf({ ...back, remove: ["suspendedAt"] })).toBe(true);
        const active = await tenants.require(t.tenantId);
        expect(active.status).toBe("ACTIVE");
        expect(active.suspendedAt).toBeUndefined();
      });

      it("with a standing event, moves only while it is the newest payment event", async () => {
        const t = await aTenant("ACTIVE");
        const first = await standing(t);
        const second = await standing(t);
        const move = { tenantId: t.tenantId, from: ["ACTIVE" as const], to: "SUSPENDED" as const };
        expect(await records.transitionIf({ ...move, standingEventId: first })).toBe(false);
        expect((await tenants.require(t.tenantId)).status).toBe("ACTIVE");
        expect(await records.transitionIf({ ...move, standingEventId: second })).toBe(true);
        expect((await tenants.require(t.tenantId)).status).toBe("SUSPENDED");
      });

      it("is false for a tenant with no payment event yet, or no tenant at all", async () => {
        const t = await aTenant("ACTIVE", { maps: false });
        const move = { from: ["ACTIVE" as const], to: "SUSPENDED" as const, standingEventId: "evt_x" };
        expect(await records.transitionIf({ ...move, tenantId: t.tenantId })).toBe(false);
        expect(await records.transitionIf({ ...move, tenantId: randomUUID() })).toBe(false);
      });
    });

    describe("recordPlan and planChangeOf", () => {
      it("records the plan while the event is the newest plan event, and remembers the change", async () => {
        const t = await aTenant("ACTIVE");
        expect(await records.planChangeOf(t.tenantId)).toBeUndefined();
        const eventId = await planEvent(t, "enterprise");
        const input = { tenantId: t.tenantId, plan: "enterprise", eventId, previousPlan: "standard" };
        expect(await records.recordPlan(input)).toBe(true);
        const after = await tenants.require(t.tenantId);
        expect(after).toMatchObject({ plan: "enterprise", version: t.version + 1 });
        expect(await records.planChangeOf(t.tenantId)).toMatchObject({
          from: "standard",
          to: "enterprise",
          eventId,
        });
        // The same change again: the plan is no longer the previous one.
        expect(await records.recordPlan(input)).toBe(false);
      });

      it("records nothing for an event a newer plan event has overtaken", async () => {
        const t = await aTenant("ACTIVE");
        const older = await planEvent(t, "enterprise");
        await planEvent(t, "free");
        expect(
          await records.recordPlan({
            tenantId: t.tenantId,
            plan: "enterprise",
            eventId: older,
            previousPlan: "standard",
          }),
        ).toBe(false);
        expect((await tenants.require(t.tenantId)).plan).toBe("standard");
        expect(await records.planChangeOf(t.tenantId)).toBeUndefined();
      });

      it("records for ACTIVE and SUSPENDED tenants only", async () => {
        for (const [status, ok] of [
          ["SUSPENDED", true],
          ["OFFBOARDING", false],
        ] as const) {
          const t = await aTenant(status);
          const eventId = await planEvent(t, "free");
          expect(
            await records.recordPlan({
              tenantId: t.tenantId,
              plan: "free",
              eventId,
              previousPlan: "standard",
            }),
          ).toBe(ok);
        }
        expect(await records.planChangeOf(randomUUID())).toBeUndefined();
      });
    });

    it("recordWorkflowFailure keeps the latest failure beside the status", async () => {
      const t = await aTenant("SUSPENDED");
      const failure = {
        workflow: "reactivate",
        execution: `${t.slug}-reactivate-1`,
        step: "Enable sign-in",
        error: "TransientError",
        cause: "Cognito throttled",
        at: new Date().toISOString(),
      };
      await records.recordWorkflowFailure(t.tenantId, failure);
      expect(await tenants.require(t.tenantId)).toMatchObject({
        status: "SUSPENDED",
        workflowFailure: failure,
        updatedAt: failure.at,
        version: t.version + 1,
      });
      await expect(records.recordWorkflowFailure(randomUUID(), failure)).rejects.toMatchObject({
        name: "ConditionalCheckFailedException",
      });
    });
  });
}
