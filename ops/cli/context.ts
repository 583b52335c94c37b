/** What every command gets: the target, lazily made AWS clients, the output streams and global flags. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoPlanStore } from "../../core/adapters/plan-store.js";
import { DynamoTenantStore } from "../../core/adapters/tenant-store.js";
import type { PlanStore } from "../../core/plans/store.js";
import { type OpsTarget, requireName } from "./target.js";

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export class OpsContext {
  private ddbClient?: DynamoDBClient;
  private ddb?: DynamoDBDocumentClient;
  private sfnClient?: SFNClient;
  private sqsClient?: SQSClient;

  constructor(
    readonly target: OpsTarget,
    readonly io: Output,
    readonly flags: { json: boolean; verbose: boolean },
  ) {}

  get sfn(): SFNClient {
    this.sfnClient ??= new SFNClient(this.target.clientConfig);
    return this.sfnClient;
  }

  get sqs(): SQSClient {
    this.sqsClient ??= new SQSClient(this.target.clientConfig);
    return this.sqsClient;
  }

  private get documents(): DynamoDBDocumentClient {
    this.ddbClient ??= new DynamoDBClient(this.target.clientConfig);
    this.ddb ??= DynamoDBDocumentClient.from(this.ddbClient, {
      marshallOptions: { removeUndefinedValues: true },
    });
    return this.ddb;
  }

  tenants(): DynamoTenantStore {
    return new DynamoTenantStore(this.documents, requireName(this.target.tenantsTable, "TENANTS_TABLE"));
  }

  plans(): PlanStore {
    return new DynamoPlanStore(this.documents, requireName(this.target.plansTable, "PLANS_TABLE"));
  }

  /** Prints `value` as JSON (--json) or the human text. */
  print(value: unknown, human: () => string): void {
    this.io.out(this.flags.json ? `${JSON.stringify(value, null, 2)}\n` : human());
  }

  verbose(text: string): void {
    if (this.flags.verbose) this.io.err(`${text}\n`);
  }

  /** Closes the clients' sockets so the process exits at once. */
  close(): void {
    this.ddbClient?.destroy();
    this.sfnClient?.destroy();
    this.sqsClient?.destroy();
  }
}
