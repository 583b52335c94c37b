/**
 * DynamoBillingRecords and DynamoTenantStore on the local cloud's tenants table (dynalite), held to the contract
 * (records-contract.ts) the in-memory fakes also pass: the lifecycle step tests' fake keeps DynamoDB's conditions.
 */
import { beforeAll } from "vitest";
import { DynamoBillingRecords } from "../../../core/adapters/billing-records.js";
import { documentClient } from "../../../core/adapters/dynamo.js";
import { DynamoTenantStore } from "../../../core/adapters/tenant-store.js";
import { useEmbarkEnvironment } from "../../support/embark.js";
import { billingRecordsContract } from "./records-contract.js";

let tenants: DynamoTenantStore;
let records: DynamoBillingRecords;
beforeAll(() => {
  useEmbarkEnvironment();
  tenants = DynamoTenantStore.fromEnvironment();
  records = new DynamoBillingRecords(documentClient(), tenants.tableName);
});

billingRecordsContract("DynamoDB (local cloud)", () => ({ tenants, records }));
