/** What every command gets: the target, its AWS clients (ops/read), the output streams and global flags. */
import type { DynamoTenantStore } from "../../core/adapters/tenant-store.js";
import type { PlanStore } from "../../core/plans/store.js";
import { AwsClients } from "../read/clients.js";
import { type OpsTarget, requireName } from "./target.js";

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export class OpsContext extends AwsClients {
  constructor(
    readonly target: OpsTarget,
    readonly io: Output,
    readonly flags: { json: boolean; verbose: boolean },
  ) {
    super(target.clientConfig);
  }

  tenants(): DynamoTenantStore {
    return this.tenantStore(requireName(this.target.tenantsTable, "TENANTS_TABLE"));
  }

  plans(): PlanStore {
    return this.planStore(requireName(this.target.plansTable, "PLANS_TABLE"));
  }

  /** Prints `value` as JSON (--json) or the human text. */
  print(value: unknown, human: () => string): void {
    this.io.out(this.flags.json ? `${JSON.stringify(value, null, 2)}\n` : human());
  }

  verbose(text: string): void {
    if (this.flags.verbose) this.io.err(`${text}\n`);
  }
}
