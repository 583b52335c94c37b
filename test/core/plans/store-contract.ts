/**
 * The PlanStore contract (core/plans/store.ts), run against the in-memory fake (store.test.ts, unit) and the
 * DynamoDB adapter on the local cloud (store.cloud.test.ts). `makeStore` gives a store with nothing stored yet
 * over the shipped defaults (DEFAULT_PLANS).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_PLANS, type Plan } from "../../../core/plans/catalog.js";
import { InvalidPlanError, UnknownPlanError } from "../../../core/plans/errors.js";
import type { PlanStore } from "../../../core/plans/store.js";

const shipped = (id: string): Plan => structuredClone(DEFAULT_PLANS.find((p) => p.id === id)!);
const cheapestFirst = [...DEFAULT_PLANS].sort((a, b) => a.monthlyPriceUsd - b.monthlyPriceUsd);

export function planStoreContract(label: string, makeStore: () => Promise<PlanStore>): void {
  describe(`PlanStore contract: ${label}`, () => {
    let store: PlanStore;
    beforeEach(async () => {
      store = await makeStore();
    });

    it("with nothing stored, is the shipped catalog, cheapest first", async () => {
      expect(await store.list()).toEqual(cheapestFirst);
      expect(await store.find("enterprise")).toEqual(shipped("enterprise"));
      expect(await store.get("standard")).toEqual(shipped("standard"));
    });

    it("refuses an unknown plan with UnknownPlanError naming the plans there are", async () => {
      expect(await store.find("platinum")).toBeUndefined();
      const err = await store.get("platinum").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnknownPlanError);
      expect(err).toMatchObject({ planId: "platinum", known: cheapestFirst.map((p) => p.id) });
    });

    it("serves a stored plan instead of the shipped one of its id, everywhere", async () => {
      const edited = { ...shipped("free"), monthlyPriceUsd: 1000, description: "Edited by an operator" };
      edited.quota.pods = "3";
      await store.put(edited);
      expect(await store.find("free")).toEqual(edited);
      expect(await store.get("free")).toEqual(edited);
      const list = await store.list();
      expect(list.map((p) => p.id)).toEqual(["standard", "enterprise", "free"]);
      expect(list.at(-1)).toEqual(edited);
    });

    it("adds a new plan to the catalog and to the choices an unknown plan names", async () => {
      const team: Plan = { ...shipped("standard"), id: "team", displayName: "Team", monthlyPriceUsd: 20 };
      await store.put(team);
      expect((await store.list()).map((p) => p.id)).toEqual(["free", "team", "standard", "enterprise"]);
      expect(await store.get("team")).toEqual(team);
      await expect(store.get("nope")).rejects.toMatchObject({
        known: ["free", "team", "standard", "enterprise"],
      });
    });

    it("refuses an invalid plan with InvalidPlanError and stores nothing", async () => {
      const invalid = shipped("free");
      invalid.limits.default.cpu = "64"; // above limits.max.cpu
      await expect(store.put(invalid)).rejects.toBeInstanceOf(InvalidPlanError);
      expect(await store.find("free")).toEqual(shipped("free"));
    });

    it("seeds the shipped plans without ever overwriting an operator's edit", async () => {
      const edited = { ...shipped("standard"), description: "Ours now" };
      await store.put(edited);
      await store.seedDefaults();
      await store.seedDefaults();
      expect(await store.find("standard")).toEqual(edited);
      expect(await store.find("free")).toEqual(shipped("free"));
      expect((await store.list()).map((p) => p.id)).toEqual(["free", "standard", "enterprise"]);
    });

    it("hands out copies: changing a plan read changes nothing stored", async () => {
      await store.put(shipped("free"));
      const read = await store.get("free");
      read.quota.pods = "999";
      read.billingPriceIds.push("price_mutated");
      const [again] = await store.list();
      expect(await store.get("free")).toEqual(shipped("free"));
      expect(again).toEqual(shipped("free"));
      const fromDefaults = await store.get("enterprise");
      fromDefaults.features.length = 0;
      expect(await store.get("enterprise")).toEqual(shipped("enterprise"));
    });
  });
}
