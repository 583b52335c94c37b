/** The in-memory tenant store the step tests use, held to the TenantStore contract (store-contract.ts). */
import { FakeTenantStore } from "../../support/fakes/tenant-store.js";
import { tenantStoreContract } from "./store-contract.js";

tenantStoreContract("in-memory fake", () => new FakeTenantStore());
