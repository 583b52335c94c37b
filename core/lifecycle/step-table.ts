/**
 * The functions the lifecycle state machines (plan change, suspend, reactivate, offboard) run, with the payload
 * each Task gives it. Several workflows share a function under state names of their own (set-tenant-status is
 * "Suspend tenant" in one and "Start offboarding" in another), so the states are named in each workflow's file.
 * The manifest takes the functions from here; functions/<name>.ts the handler (handlers.ts).
 */
import * as z from "zod";
import {
  anyResource,
  bucketObjects,
  codepipeline,
  dynamodb,
  eks,
  eksAccessEntries,
  passScheduleRole,
  planLookup,
  runtimeSchedules,
  taskCallbacks,
  tenantProgress,
  userPools,
} from "../app/access.js";
import type { StepFunctionSpec } from "../app/function-spec.js";
import { TaskToken, TenantRef } from "../onboarding/step-table.js";
import { PlanId } from "../plans/schema.js";

/** The billing event (or ops command) a lifecycle execution applies. */
const EventId = z.string().min(1).max(255);

/** `RESTORED` is ACTIVE again from CANCELLED (a restore), kept apart from a reactivation's ACTIVE. */
export const STATUS_TARGETS = [
  "SUSPENDED",
  "ACTIVE",
  "CANCELLED",
  "RESTORED",
  "OFFBOARDING",
  "OFFBOARDED",
] as const;
export type StatusTarget = (typeof STATUS_TARGETS)[number];

const readTenant = dynamodb("tenants", "GetItem");

export const LIFECYCLE_STEP_TABLE = {
  setTenantStatus: {
    name: "set-tenant-status",
    description: "step: suspend / reactivate / cancel / restore / start or finish the purge",
    timeoutSeconds: 30,
    input: TenantRef.extend({
      to: z.enum(STATUS_TARGETS),
      eventId: EventId,
      /** The execution making the change, for the lifecycle event's cause. */
      execution: z.string().min(1).max(80).optional(),
    }),
    // BillingRecords (in the tenants table): conditional status writes; PlanStore.find: no catalog scan.
    access: [tenantProgress, dynamodb("plans", "GetItem")],
  },
  exportTenant: {
    name: "export-tenant",
    description:
      "step: write the tenant export (record, users, namespace manifests) to S3 before anything else",
    timeoutSeconds: 120,
    input: TenantRef,
    access: [
      tenantProgress,
      dynamodb("plans", "GetItem"),
      userPools("ListUsers", "AdminListGroupsForUser"),
      eks("DescribeCluster"),
      bucketObjects("exports", "PutObject"),
    ],
  },
  recordPlan: {
    name: "record-plan",
    description: "step: Record new plan",
    timeoutSeconds: 30,
    input: TenantRef.extend({
      plan: PlanId,
      eventId: EventId,
      execution: z.string().min(1).max(80).optional(),
    }),
    access: [tenantProgress, planLookup],
  },
  applyNamespacePolicy: {
    name: "apply-namespace-policy",
    description: "step: apply the plan's quota and limits (zero pods while suspended)",
    timeoutSeconds: 60,
    input: TenantRef,
    access: [readTenant, planLookup, eks("DescribeCluster")],
  },
  setPurgeSchedule: {
    name: "set-purge-schedule",
    description: "step: schedule (CANCELLED) or cancel (restored) the tenant's purge",
    timeoutSeconds: 30,
    input: TenantRef,
    access: [
      readTenant,
      runtimeSchedules("purge", "CreateSchedule", "UpdateSchedule", "DeleteSchedule"),
      passScheduleRole("purge"),
    ],
  },
  applySignIn: {
    name: "apply-sign-in",
    description: "step: enable or disable the tenant's users",
    timeoutSeconds: 120,
    input: TenantRef,
    access: [readTenant, userPools("ListUsers", "AdminEnableUser", "AdminDisableUser")],
  },
  runLifecyclePipeline: {
    name: "run-lifecycle-pipeline",
    description: "step: deploy or tear down dedicated resources",
    timeoutSeconds: 30,
    input: TenantRef.extend({
      /** `stop`: a cancelled tenant's dedicated resources stop (kept for a restore); `deploy` starts them again. */
      action: z.enum(["deploy", "teardown", "stop"]),
      runKey: z.string().min(1).max(255),
      taskToken: TaskToken,
    }),
    access: [
      dynamodb("tenants", "GetItem", "PutItem", "DeleteItem"), // + the run and waiter records (deleted once answered)
      codepipeline("StartPipelineExecution", "GetPipelineExecution"),
      taskCallbacks("SendTaskSuccess", "SendTaskFailure"),
    ],
  },
  deleteNamespace: {
    name: "delete-namespace",
    description: "step: Delete namespace (waits for it)",
    timeoutSeconds: 120,
    input: TenantRef,
    access: [
      readTenant,
      eks("DescribeCluster"),
      eksAccessEntries(
        "DescribeAccessEntry",
        "UpdateAccessEntry",
        "DeleteAccessEntry",
        "ListAssociatedAccessPolicies",
        "AssociateAccessPolicy",
        "DisassociateAccessPolicy",
      ),
    ],
  },
  deleteIdentity: {
    name: "delete-identity",
    description: "step: Delete user pool",
    timeoutSeconds: 60,
    input: TenantRef,
    access: [
      readTenant,
      dynamodb("tenants", "DeleteItem"), // the pool → tenant link
      anyResource("GetResources finds the tenant's pools by their tag", "tag:GetResources"),
      userPools("DeleteUserPool"),
    ],
  },
} as const satisfies Record<string, StepFunctionSpec>;

export type LifecycleStep = keyof typeof LIFECYCLE_STEP_TABLE;
