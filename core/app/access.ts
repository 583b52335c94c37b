/**
 * What a function may call, said once next to the function (manifest.ts and the step tables): actions on one of
 * the app's resources. stacks/permissions.ts turns each entry into an IAM statement on the deployed ARNs;
 * test/stacks/permissions.test.ts derives the same from the code's SDK commands and compares.
 */
import type {
  BucketKey,
  BusKey,
  QueueKey,
  RuntimeScheduleKey,
  StateMachineKey,
  TableKey,
} from "./resources.js";

export type AccessTarget =
  | { kind: "table"; table: TableKey }
  /** A global secondary index of a table (Query on an index is authorised on the index's ARN). */
  | { kind: "tableIndex"; table: TableKey; index: string }
  | { kind: "queue"; queue: QueueKey }
  /** A work queue's dead-letter queue. */
  | { kind: "deadLetterQueue"; queue: QueueKey }
  | { kind: "bus"; bus: BusKey }
  /** The objects of one of the app's buckets (`arn:aws:s3:::<bucket>/*`). */
  | { kind: "bucketObjects"; bucket: BucketKey }
  | { kind: "stateMachines"; machines: StateMachineKey[] }
  | { kind: "executions"; machines: StateMachineKey[] }
  | { kind: "pipeline" }
  | { kind: "cluster" }
  | { kind: "clusterAccessEntries" }
  | { kind: "userPools" }
  /** Runtime one-time schedules of a kind (`schedule/default/<prefix>*`). */
  | { kind: "runtimeSchedules"; schedule: RuntimeScheduleKey }
  /** The role Scheduler assumes for them (iam:PassRole when creating one). */
  | { kind: "scheduleRole"; schedule: RuntimeScheduleKey }
  /** The SES identity Embark sends as, and its configuration set (SendEmail is authorised on both). */
  | { kind: "mailIdentity" }
  /** AWS has no narrower resource for these actions; `why` says so in the policy's source. */
  | { kind: "any"; why: string };

export interface Access {
  actions: string[];
  on: AccessTarget;
}

const grant =
  (service: string, on: AccessTarget) =>
  (...actions: string[]): Access => ({ actions: actions.map((a) => `${service}:${a}`), on });

export const dynamodb = (table: TableKey, ...actions: string[]) =>
  grant("dynamodb", { kind: "table", table })(...actions);
export const queryIndex = (table: TableKey, index: string) =>
  grant("dynamodb", { kind: "tableIndex", table, index })("Query");
export const sendToQueue = (queue: QueueKey) => grant("sqs", { kind: "queue", queue })("SendMessage");
export const deadLetters = (queue: QueueKey, ...actions: string[]) =>
  grant("sqs", { kind: "deadLetterQueue", queue })(...actions);
export const putEvents = (bus: BusKey) => grant("events", { kind: "bus", bus })("PutEvents");
export const startExecution = (...machines: StateMachineKey[]) =>
  grant("states", { kind: "stateMachines", machines })("StartExecution");
export const executions = (actions: string[], ...machines: StateMachineKey[]) =>
  grant("states", { kind: "executions", machines })(...actions);
export const bucketObjects = (bucket: BucketKey, ...actions: string[]) =>
  grant("s3", { kind: "bucketObjects", bucket })(...actions);
export const codepipeline = grant("codepipeline", { kind: "pipeline" });
export const eks = grant("eks", { kind: "cluster" });
export const eksAccessEntries = grant("eks", { kind: "clusterAccessEntries" });
export const userPools = grant("cognito-idp", { kind: "userPools" });
export const runtimeSchedules = (schedule: RuntimeScheduleKey, ...actions: string[]) =>
  grant("scheduler", { kind: "runtimeSchedules", schedule })(...actions);
export const passScheduleRole = (schedule: RuntimeScheduleKey) =>
  grant("iam", { kind: "scheduleRole", schedule })("PassRole");
export const sendEmail = () => grant("ses", { kind: "mailIdentity" })("SendEmail");
export const anyResource = (why: string, ...actions: string[]): Access => ({
  actions,
  on: { kind: "any", why },
});
/** .waitForTaskToken callbacks: the token, not an ARN, names the task. */
export const taskCallbacks = (...actions: string[]): Access =>
  anyResource("a task token, not an ARN, names the task", ...actions.map((a) => `states:${a}`));

/** Powertools idempotency records (DynamoDBPersistenceLayer). */
export const idempotencyRecords = dynamodb("idempotency", "GetItem", "PutItem", "UpdateItem", "DeleteItem");
/** PlanStore.get: the plan item, then the catalog (Scan) to name the choices when it is unknown. */
export const planLookup = dynamodb("plans", "GetItem", "Scan");
/** A step reading the tenant and recording its progress with conditional updates. */
export const tenantProgress = dynamodb("tenants", "GetItem", "UpdateItem");
