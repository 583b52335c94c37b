import { DeleteCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { requireEnv, TABLES } from "../app/resources.js";
import { SlugTakenError, TenantNotFoundError } from "../tenant/errors.js";
import { type TenantEventCause, tenantEventFor } from "../tenant/events.js";
import { type OnboardingStep, type StepProgress, Tenant, type TenantExport } from "../tenant/model.js";
import { allowedPredecessors, illegalTransition, type TenantStatus } from "../tenant/status.js";
import type { ResourcesPatch, TenantStore } from "../tenant/store.js";
import { StepError } from "../workflow/retry.js";
import { DynamoTable, documentClient, isConditionFailure } from "./dynamo.js";
import {
  MAX_WRITE_ATTEMPTS,
  removeOldestEvent,
  sendUpdate,
  type UpdateParts,
  withEvent,
} from "./tenant-outbox.js";

const tenantKey = (tenantId: string) => ({ pk: `TENANT#${tenantId}` });
const slugKey = (slug: string) => ({ pk: `SLUG#${slug}` });
const waiterKey = (tenantId: string) => ({ pk: `WAITER#${tenantId}` });
const runWaiterKey = (pipelineExecutionId: string) => ({ pk: `RUNWAITER#${pipelineExecutionId}` });
const lifecycleRunKey = (runKey: string) => ({ pk: `LIFECYCLERUN#${runKey}` });
const poolKey = (userPoolId: string) => ({ pk: `POOL#${userPoolId}` });

export class DynamoTenantStore extends DynamoTable implements TenantStore {
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): DynamoTenantStore {
    return new DynamoTenantStore(documentClient(), requireEnv(TABLES.tenants.env, env));
  }

  /**
   * Claims the slug, then writes the tenant. Re-running it for the same tenant is harmless; a slug held by
   * another tenant raises SlugTakenError.
   */
  async create(tenant: Tenant): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...slugKey(tenant.slug),
            entity: "slug",
            tenantId: tenant.tenantId,
            createdAt: tenant.createdAt,
          },
          // Free, ours already (a re-run), or an offboarded tenant's whose reservation is over.
          ConditionExpression: "attribute_not_exists(pk) OR tenantId = :id OR reservedUntil < :now",
          ExpressionAttributeValues: { ":id": tenant.tenantId, ":now": new Date().toISOString() },
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new SlugTakenError(tenant.slug);
      throw err;
    }
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...tenantKey(tenant.tenantId), entity: "tenant", ...tenant },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  /** Undoes create() when the signup could not be handed on (nothing else refers to the tenant yet). */
  async discard(tenant: Pick<Tenant, "tenantId" | "slug">): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: tenantKey(tenant.tenantId) }));
    await this.db
      .send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: slugKey(tenant.slug),
          ConditionExpression: "tenantId = :id",
          ExpressionAttributeValues: { ":id": tenant.tenantId },
        }),
      )
      .catch((err) => {
        if (!isConditionFailure(err)) throw err;
      });
  }

  async get(tenantId: string): Promise<Tenant | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: tenantKey(tenantId), ConsistentRead: true }),
    );
    return Item ? Tenant.parse(Item) : undefined;
  }

  async require(tenantId: string): Promise<Tenant> {
    const tenant = await this.get(tenantId);
    if (!tenant) throw new TenantNotFoundError(tenantId);
    return tenant;
  }

  async reserveSlug(slug: string, tenantId: string, until: string): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: slugKey(slug),
          UpdateExpression: "SET reservedUntil = :until",
          ConditionExpression: "tenantId = :id",
          ExpressionAttributeValues: { ":id": tenantId, ":until": until },
        }),
      )
      .catch((err) => {
        // Someone else holds it (taken over after an earlier reservation ended): nothing of ours to reserve.
        if (!isConditionFailure(err)) throw err;
      });
  }

  async slugFree(slug: string, now = new Date()): Promise<boolean> {
    const claim = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: slugKey(slug), ConsistentRead: true }),
    );
    const until = claim.Item?.reservedUntil;
    return !claim.Item || (typeof until === "string" && until < now.toISOString());
  }

  async getBySlug(slug: string): Promise<Tenant | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: slugKey(slug), ConsistentRead: true }),
    );
    return typeof Item?.tenantId === "string" ? this.get(Item.tenantId) : undefined;
  }

  /** Remembers which tenant a user pool belongs to (a put of the same link again changes nothing). */
  async linkUserPool(userPoolId: string, tenantId: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...poolKey(userPoolId), entity: "pool", tenantId },
      }),
    );
  }

  /** The tenant a user pool belongs to: two reads, the link then the tenant. */
  async getByUserPool(userPoolId: string): Promise<Tenant | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: poolKey(userPoolId), ConsistentRead: true }),
    );
    return typeof Item?.tenantId === "string" ? this.get(Item.tenantId) : undefined;
  }

  /** Forgets the link of a deleted pool; one already gone is fine. */
  async unlinkUserPool(userPoolId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: poolKey(userPoolId) }));
  }

  /** All tenants (newest first), optionally of one status. A scan: fine for an operator's list. */
  async list(filter: { status?: TenantStatus } = {}): Promise<Tenant[]> {
    const tenants: Tenant[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: filter.status ? "entity = :e AND #status = :s" : "entity = :e",
          ExpressionAttributeValues: { ":e": "tenant", ...(filter.status ? { ":s": filter.status } : {}) },
          ...(filter.status ? { ExpressionAttributeNames: { "#status": "status" } } : {}),
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) tenants.push(Tenant.parse(item));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return tenants.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Records a step's progress; `countAttempt` adds one to its attempts (a step starting again). */
  async markStep(
    tenantId: string,
    step: OnboardingStep,
    status: StepProgress["status"],
    opts: {
      countAttempt?: boolean;
      error?: { name: string; message: string };
      resources?: ResourcesPatch;
    } = {},
  ): Promise<void> {
    const now = new Date().toISOString();
    const sets = ["steps.#step.#status = :status", "steps.#step.#at = :now", "updatedAt = :now"];
    const values: Record<string, unknown> = { ":status": status, ":now": now, ":one": 1 };
    const resourceNames: Record<string, string> = {};
    for (const [i, [k, v]] of Object.entries(opts.resources ?? {})
      .filter(([, v]) => v !== undefined)
      .entries()) {
      resourceNames[`#r${i}`] = k;
      values[`:r${i}`] = v;
      sets.push(`resources.#r${i} = :r${i}`);
    }
    if (opts.countAttempt) {
      sets.push("steps.#step.attempts = steps.#step.attempts + :one");
    }
    let remove = "";
    if (opts.error) {
      sets.push("steps.#step.#error = :error");
      values[":error"] = { name: opts.error.name, message: opts.error.message.slice(0, 1000) };
    } else {
      remove = " REMOVE steps.#step.#error";
    }
    const names = { "#step": step, "#status": "status", "#at": "at", "#error": "error", ...resourceNames };
    try {
      await this.update(tenantId, `SET ${sets.join(", ")}${remove} ADD version :one`, values, names);
    } catch (err) {
      if (!isMissingStep(err)) throw err;
      if (opts.resources) await this.setResources(tenantId, opts.resources);
      // A record written before this step existed has no `steps.<step>` map yet: write it whole.
      const progress = {
        status,
        at: now,
        attempts: opts.countAttempt ? 1 : 0,
        ...(opts.error ? { error: values[":error"] } : {}),
      };
      await this.update(
        tenantId,
        "SET steps.#step = if_not_exists(steps.#step, :progress), updatedAt = :now ADD version :one",
        { ":progress": progress, ":now": now, ":one": 1 },
        names,
      );
    }
  }

  async recordExport(tenantId: string, exported: TenantExport): Promise<void> {
    await this.update(
      tenantId,
      "SET #export = :export, updatedAt = :now ADD version :one",
      { ":export": exported, ":now": new Date().toISOString(), ":one": 1 },
      { "#export": "export" },
    );
  }

  async recordEmailSent(
    tenantId: string,
    key: string,
    sent: { messageId: string; at: string },
  ): Promise<void> {
    const values = { ":sent": sent, ":now": new Date().toISOString(), ":one": 1 };
    const names = { "#key": key };
    const record = () =>
      this.update(
        tenantId,
        "SET mailSent.#key = if_not_exists(mailSent.#key, :sent), updatedAt = :now ADD version :one",
        values,
        names,
      );
    try {
      await record();
    } catch (err) {
      if (!isMissingStep(err)) throw err;
      // A record written before emails were recorded has no `mailSent` map yet.
      await this.update(tenantId, "SET mailSent = if_not_exists(mailSent, :none)", { ":none": {} });
      await record();
    }
  }

  async startStep(
    tenantId: string,
    step: OnboardingStep,
    status: "running" | "done" = "running",
  ): Promise<Tenant | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tenantKey(tenantId),
          UpdateExpression:
            "SET steps.#step.#status = :running, steps.#step.#at = :now, " +
            "steps.#step.attempts = steps.#step.attempts + :one, updatedAt = :now " +
            "REMOVE steps.#step.#error ADD version :one",
          ConditionExpression:
            "attribute_exists(pk) AND NOT (#status IN (:failed, :offboarding, :offboarded))",
          ExpressionAttributeNames: { "#step": step, "#status": "status", "#at": "at", "#error": "error" },
          ExpressionAttributeValues: {
            ":running": status,
            ":now": new Date().toISOString(),
            ":one": 1,
            ":failed": "FAILED",
            ":offboarding": "OFFBOARDING",
            ":offboarded": "OFFBOARDED",
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return Attributes ? Tenant.parse(Attributes) : undefined;
    } catch (err) {
      if (isConditionFailure(err) || isMissingStep(err)) return undefined;
      throw err;
    }
  }

  async setResources(tenantId: string, patch: ResourcesPatch): Promise<void> {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ":now": new Date().toISOString(), ":one": 1 };
    const sets = entries.map(([k, v], i) => {
      names[`#r${i}`] = k;
      values[`:r${i}`] = v;
      return `resources.#r${i} = :r${i}`;
    });
    await this.update(tenantId, `SET ${sets.join(", ")}, updatedAt = :now ADD version :one`, values, names);
  }

  /**
   * Moves the tenant to `to` if its current status allows it, appending the lifecycle event the move publishes
   * (if any) to the outbox in the same write. Returns false when it is already there (a duplicate); throws
   * IllegalTransitionError for anything else.
   */
  async transition(
    tenantId: string,
    to: TenantStatus,
    extra: {
      failure?: Tenant["failure"];
      clearFailure?: boolean;
      set?: Record<string, unknown>;
      cause?: TenantEventCause;
      current?: Tenant;
      steps?: Partial<Record<OnboardingStep, StepProgress["status"]>>;
    } = {},
  ): Promise<boolean> {
    const allowed = allowedPredecessors(to);
    for (let attempt = 1; ; attempt++) {
      const current = attempt === 1 && extra.current ? extra.current : await this.require(tenantId);
      if (current.status === to) return false;
      if (!allowed.includes(current.status)) throw illegalTransition(current.status, to);
      const f = extra.failure;
      const event = tenantEventFor({
        tenantId,
        slug: current.slug,
        plan: current.plan,
        previousStatus: current.status,
        status: to,
        previousVersion: current.eventVersion ?? 0,
        cause: extra.cause ?? {},
        ...(to === "FAILED" && f ? { failure: { step: f.step, error: f.error, cause: f.cause } } : {}),
      });
      const parts: UpdateParts = {
        sets: ["#status = :to", "updatedAt = :now"],
        removes: extra.clearFailure ? ["failure"] : [],
        // The status read: a concurrent move makes this write fail and the loop decide again.
        conditions: ["#status = :from"],
        names: { "#status": "status" },
        values: { ":to": to, ":from": current.status, ":now": new Date().toISOString() },
      };
      if (f) {
        parts.sets.push("failure = :failure");
        parts.values[":failure"] = f;
      }
      for (const [i, [k, v]] of Object.entries(extra.set ?? {}).entries()) {
        parts.names[`#x${i}`] = k;
        parts.values[`:x${i}`] = v;
        parts.sets.push(`#x${i} = :x${i}`);
      }
      for (const [i, [step, status]] of Object.entries(extra.steps ?? {}).entries()) {
        Object.assign(parts.names, { [`#s${i}`]: step, "#at": "at", "#error": "error" });
        parts.values[`:s${i}`] = status;
        parts.sets.push(`steps.#s${i}.#status = :s${i}`, `steps.#s${i}.#at = :now`);
        parts.removes?.push(`steps.#s${i}.#error`);
      }
      if (await sendUpdate(this.db, this.tableName, tenantId, withEvent(parts, current, event))) return true;
      if (attempt >= MAX_WRITE_ATTEMPTS) {
        throw new StepError(
          "TransientError",
          `Tenant ${tenantId} kept changing while moving it to ${to}; try again`,
        );
      }
    }
  }

  /** Removes the oldest outbox event once published; false when another drain removed it first. */
  async removePublishedEvent(tenantId: string, eventId: string, doneStep?: OnboardingStep): Promise<boolean> {
    return removeOldestEvent(this.db, this.tableName, tenantId, eventId, doneStep);
  }

  /** Remembers the task token the tenant's pipeline step waits with (replaced on a retry or redrive). */
  async putPipelineWaiter(tenantId: string, taskToken: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...waiterKey(tenantId), entity: "waiter", tenantId, taskToken, at: new Date().toISOString() },
      }),
    );
  }

  async getPipelineWaiter(tenantId: string): Promise<string | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: waiterKey(tenantId), ConsistentRead: true }),
    );
    return typeof Item?.taskToken === "string" ? Item.taskToken : undefined;
  }

  /**
   * Remembers the task token a lifecycle workflow waits with on one pipeline run (keyed by the run, since a
   * tenant may have a deploy and a teardown run of different workflows in its history).
   */
  async putRunWaiter(pipelineExecutionId: string, waiter: { tenantId: string; taskToken: string }) {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...runWaiterKey(pipelineExecutionId),
          entity: "run-waiter",
          ...waiter,
          at: new Date().toISOString(),
        },
      }),
    );
  }

  async getRunWaiter(
    pipelineExecutionId: string,
  ): Promise<{ tenantId: string; taskToken: string } | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: runWaiterKey(pipelineExecutionId),
        ConsistentRead: true,
      }),
    );
    return typeof Item?.taskToken === "string" && typeof Item.tenantId === "string"
      ? { tenantId: Item.tenantId, taskToken: Item.taskToken }
      : undefined;
  }

  async deleteRunWaiter(pipelineExecutionId: string): Promise<void> {
    await this.db.send(
      new DeleteCommand({ TableName: this.tableName, Key: runWaiterKey(pipelineExecutionId) }),
    );
  }

  /** Forgets the onboarding pipeline step's task token (offboarding: nothing may answer it any more). */
  async deletePipelineWaiter(tenantId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: waiterKey(tenantId) }));
  }

  /** The pipeline run a lifecycle execution started (keyed by the execution name), so a retry reuses it. */
  async getLifecycleRun(runKey: string): Promise<{ pipelineExecutionId: string } | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: lifecycleRunKey(runKey), ConsistentRead: true }),
    );
    return typeof Item?.pipelineExecutionId === "string"
      ? { pipelineExecutionId: Item.pipelineExecutionId }
      : undefined;
  }

  async putLifecycleRun(
    runKey: string,
    run: { pipelineExecutionId: string; tenantId: string; action: string },
  ) {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...lifecycleRunKey(runKey), entity: "lifecycle-run", ...run, at: new Date().toISOString() },
      }),
    );
  }

  private async update(
    tenantId: string,
    expression: string,
    values: Record<string, unknown>,
    names?: Record<string, string>,
  ): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tenantKey(tenantId),
          UpdateExpression: expression,
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeValues: values,
          ...(names ? { ExpressionAttributeNames: pickUsedNames(names, expression) } : {}),
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new TenantNotFoundError(tenantId);
      throw err;
    }
  }
}

/** DynamoDB's answer to SET a.b.c when map `a.b` does not exist. */
function isMissingStep(err: unknown): boolean {
  return (
    err instanceof Error &&
    err.name === "ValidationException" &&
    /document path provided in the update expression is invalid/i.test(err.message)
  );
}

/** DynamoDB rejects unused ExpressionAttributeNames; keep only those the expression mentions. */
function pickUsedNames(names: Record<string, string>, expression: string): Record<string, string> {
  return Object.fromEntries(Object.entries(names).filter(([k]) => expression.includes(k)));
}
