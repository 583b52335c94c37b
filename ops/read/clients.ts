/**
 * The AWS SDK v3 clients the operator tools work through (ops/read reads with them; the CLI's and console's
 * actions use them too), made on first use from one client config: pointed at AWS (the CLI's default) or at
 * the local cloud's edge (the console, or the CLI with .local/endpoints.json).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoPlanStore } from "../../core/adapters/plan-store.js";
import { DynamoTenantStore } from "../../core/adapters/tenant-store.js";

export interface ClientConfig {
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  maxAttempts?: number;
}

export class AwsClients {
  private ddbClient?: DynamoDBClient;
  private ddb?: DynamoDBDocumentClient;
  private sfnClient?: SFNClient;
  private sqsClient?: SQSClient;

  constructor(readonly clientConfig: ClientConfig) {}

  get sfn(): SFNClient {
    this.sfnClient ??= new SFNClient(this.clientConfig);
    return this.sfnClient;
  }

  get sqs(): SQSClient {
    this.sqsClient ??= new SQSClient(this.clientConfig);
    return this.sqsClient;
  }

  get documents(): DynamoDBDocumentClient {
    this.ddbClient ??= new DynamoDBClient(this.clientConfig);
    this.ddb ??= DynamoDBDocumentClient.from(this.ddbClient, {
      marshallOptions: { removeUndefinedValues: true },
    });
    return this.ddb;
  }

  tenantStore(table: string): DynamoTenantStore {
    return new DynamoTenantStore(this.documents, table);
  }

  planStore(table: string): DynamoPlanStore {
    return new DynamoPlanStore(this.documents, table);
  }

  /** Closes the clients' sockets so a process can exit at once. */
  close(): void {
    this.ddbClient?.destroy();
    this.sfnClient?.destroy();
    this.sqsClient?.destroy();
  }
}
