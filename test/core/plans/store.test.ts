/** The in-memory plan store the step tests use, held to the PlanStore contract (store-contract.ts). */
import { FakePlanStore } from "../../support/fakes/plan-store.js";
import { planStoreContract } from "./store-contract.js";

planStoreContract("in-memory fake", async () => new FakePlanStore());
