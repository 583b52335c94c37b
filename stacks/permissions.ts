/**
 * Least-privilege IAM statements from what each function's manifest entry says it may call (core/app/access.ts):
 * each access entry becomes one statement on the deployed ARNs. test/stacks/permissions.test.ts derives the expected
 * actions from the adapters' SDK commands on its own and compares, so a new SDK call without an access entry
 * (or a stale entry) fails there.
 */
import type { Access, AccessTarget } from "../core/app/access.js";
import type {
  BucketKey,
  BusKey,
  QueueKey,
  RuntimeScheduleKey,
  StateMachineKey,
  TableKey,
} from "../core/app/resources.js";

export interface Statement {
  actions: string[];
  resources: $util.Input<string>[];
}

/** The deployed ARNs access entries refer to. */
export interface PermissionTargets {
  tables: Record<TableKey, $util.Input<string>>;
  queues: Record<QueueKey, $util.Input<string>>;
  deadLetterQueues: Record<QueueKey, $util.Input<string>>;
  buses: Record<BusKey, $util.Input<string>>;
  /** A bucket's objects (`arn:aws:s3:::<bucket>/*`). */
  bucketObjects: Record<BucketKey, $util.Input<string>>;
  stateMachine(key: StateMachineKey): $util.Input<string>;
  /** Executions of a state machine (`…:execution:<name>:*`). */
  executions(key: StateMachineKey): $util.Input<string>;
  pipeline: $util.Input<string>;
  cluster: $util.Input<string>;
  /** Access entries of the cluster (`…:access-entry/<cluster>/*`). */
  clusterAccessEntries: $util.Input<string>;
  /** Every user pool in the account and region (`…:userpool/*`): tenant pools are made at run time. */
  userPools: $util.Input<string>;
  sesIdentity: $util.Input<string>;
  sesConfigurationSet: $util.Input<string>;
  /** A runtime schedule kind's schedules (`…:schedule/default/<prefix>*`) and the role Scheduler assumes. */
  runtimeSchedules(key: RuntimeScheduleKey): $util.Input<string>;
  scheduleRole(key: RuntimeScheduleKey): $util.Input<string>;
}

export function statementsFor(access: readonly Access[], t: PermissionTargets): Statement[] {
  return access.map(({ actions, on }) => ({ actions, resources: resourcesOf(on, t) }));
}

function resourcesOf(on: AccessTarget, t: PermissionTargets): $util.Input<string>[] {
  switch (on.kind) {
    case "table":
      return [t.tables[on.table]];
    case "tableIndex":
      return [$interpolate`${t.tables[on.table]}/index/${on.index}`];
    case "queue":
      return [t.queues[on.queue]];
    case "deadLetterQueue":
      return [t.deadLetterQueues[on.queue]];
    case "bus":
      return [t.buses[on.bus]];
    case "bucketObjects":
      return [t.bucketObjects[on.bucket]];
    case "stateMachines":
      return on.machines.map((k) => t.stateMachine(k));
    case "executions":
      return on.machines.map((k) => t.executions(k));
    case "pipeline":
      return [t.pipeline];
    case "cluster":
      return [t.cluster];
    case "clusterAccessEntries":
      return [t.clusterAccessEntries];
    case "userPools":
      return [t.userPools];
    case "mailIdentity":
      // SendEmail is authorised on the identity and, when one is given, the configuration set.
      return [t.sesIdentity, t.sesConfigurationSet];
    case "runtimeSchedules":
      return [t.runtimeSchedules(on.schedule)];
    case "scheduleRole":
      return [t.scheduleRole(on.schedule)];
    case "any":
      return ["*"];
  }
}
