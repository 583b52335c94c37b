/**
 * The DynamoDB tenant store on the local cloud's tenants table (dynalite), held to the TenantStore contract
 * (store-contract.ts) that the in-memory fake also passes: the fake behaves like DynamoDB for what the steps use.
 */
import { beforeAll } from "vitest";
import { DynamoTenantStore } from "../../../core/adapters/tenant-store.js";
import { LOCAL_NAMES } from "../../../core/app/resources.js";
import { useEmbarkEnvironment } from "../../support/embark.js";
import { tenantStoreContract } from "./store-contract.js";

let store: DynamoTenantStore;
beforeAll(() => {
  useEmbarkEnvironment();
  store = DynamoTenantStore.fromEnvironment();
  if (store.tableName !== LOCAL_NAMES.table("tenants"))
    throw new Error(`unexpected table ${store.tableName}`);
});

tenantStoreContract("DynamoDB (local cloud)", () => store);
