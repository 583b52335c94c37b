/** The in-memory billing records the lifecycle step tests use, held to their contract (records-contract.ts). */
import { FakeBillingRecords } from "../../support/fakes/billing-records.js";
import { FakeTenantStore } from "../../support/fakes/tenant-store.js";
import { billingRecordsContract } from "./records-contract.js";

billingRecordsContract("in-memory fakes", () => {
  const tenants = new FakeTenantStore();
  return { tenants, records: new FakeBillingRecords(tenants) };
});
