/**
 * What a function may call, said once next to the function (manifest.ts and the step tables): actions on one of
 * the app's resources. stacks/permissions.ts turns each entry into an IAM statement on the deployed ARNs;
 * test/stacks/permissions.test.ts derives the same from the code's SDK commands and compares.
 */
import type { BusKey, QueueKey, StateMachineKey, TableKey } from "./resources.js";

export type AccessTarget =
  | { kind: "table"; table: TableKey }
  | { kind: "queue"; queue: QueueKey }
  | { kind: "bus"; bus: BusKey }
  | { kind: "stateMachines"; machines: StateMachineKey[] }
  | { kind: "executions"; machines: StateMachineKey[] }
  | { kind: "pipeline" }
  | { kind: "cluster" }
  | { kind: "clusterAccessEntries" }
  | { kind: "userPools" }
  /** The SES identity Embark sends as, and its configuration set (SendEmail is authorised on both). */
  | { kind: "mailIdentity" }
  /** AWS has no narrower resource for these actions; `why` says so in the policy's source. */
  | { kind: "any"; why: string };

export interface Access {
  actions: string[];
  on: AccessTarget;
}

const prefixed = (service: string, actions: string[]) => actions.map((a) => `${service}:${a}`);

export const dynamodb = (table: TableKey, ...actions: string[]): Access => ({
  actions: prefixed("dynamodb", actions),
  on: { kind: "table", table },
});
export const sendToQueue = (queue: QueueKey): Access => ({
  actions: ["sqs:SendMessage"],
  on: { kind: "queue", queue },
});
export const putEvents = (bus: BusKey): Access => ({
  actions: ["events:PutEvents"],
  on: { kind: "bus", bus },
});
export const startExecution = (...machines: StateMachineKey[]): Access => ({
  actions: ["states:StartExecution"],
  on: { kind: "stateMachines", machines },
});
export const executions = (actions: string[], ...machines: StateMachineKey[]): Access => ({
  actions: prefixed("states", actions),
  on: { kind: "executions", machines },
});
export const codepipeline = (...actions: string[]): Access => ({
  actions: prefixed("codepipeline", actions),
  on: { kind: "pipeline" },
});
export const eks = (...actions: string[]): Access => ({
  actions: prefixed("eks", actions),
  on: { kind: "cluster" },
});
export const eksAccessEntries = (...actions: string[]): Access => ({
  actions: prefixed("eks", actions),
  on: { kind: "clusterAccessEntries" },
});
export const userPools = (...actions: string[]): Access => ({
  actions: prefixed("cognito-idp", actions),
  on: { kind: "userPools" },
});
export const sendEmail = (): Access => ({ actions: ["ses:SendEmail"], on: { kind: "mailIdentity" } });
export const anyResource = (why: string, ...actions: string[]): Access => ({
  actions,
  on: { kind: "any", why },
});
/** .waitForTaskToken callbacks: the token, not an ARN, names the task. */
export const taskCallbacks = (...actions: string[]): Access =>
  anyResource("a task token, not an ARN, names the task", ...prefixed("states", actions));

/** Powertools idempotency records (DynamoDBPersistenceLayer). */
export const idempotencyRecords = dynamodb("idempotency", "GetItem", "PutItem", "UpdateItem", "DeleteItem");
/** PlanStore.get: the plan item, then the catalog (Scan) to name the choices when it is unknown. */
export const planLookup = dynamodb("plans", "GetItem", "Scan");
/** A step reading the tenant and recording its progress with conditional updates. */
export const tenantProgress = dynamodb("tenants", "GetItem", "UpdateItem");
