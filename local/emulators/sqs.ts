// SQS: our own durable implementation (local/sqs/service.ts), journaled under <stateDir>/sqs, served in the
// edge process. It replaced local-aws-sqs, which kept messages in memory only.
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "../aws/constants.js";
import { createSqsService, type LocalSqs } from "../sqs/service.js";

/** Starts SQS on `dir`; queue URLs begin with `edgeUrl` (where callers reach it). */
export function startSqs(dir: string, edgeUrl: string): Promise<LocalSqs> {
  return createSqsService({ dir, baseUrl: edgeUrl, region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID });
}
