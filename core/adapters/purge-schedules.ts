/**
 * Purge timers as EventBridge Scheduler one-time schedules (`at(…)`, UTC, flexible window off, deleted once
 * they fired). Why Scheduler and not a Step Functions Wait: design §2, "Decision: the purge timer".
 */
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  type ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from "@aws-sdk/client-scheduler";
import { RUNTIME_SCHEDULES, requireEnv } from "../app/resources.js";
import type { PurgeSchedules, PurgeTarget } from "../ports.js";

const SPEC = RUNTIME_SCHEDULES.purge;
/** Scheduler retries an invocation it could not make for up to a day (then the tenant's reconcile pass starts it). */
const RETRY = { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 };

export const purgeScheduleName = (tenantId: string) => `${SPEC.prefix}${tenantId}`;

/** `at(yyyy-mm-ddThh:mm:ss)`: Scheduler's one-time expression has whole seconds; round up, never early. */
export function atExpression(at: Date): string {
  const seconds = Math.ceil(at.getTime() / 1000) * 1000;
  return `at(${new Date(seconds).toISOString().slice(0, 19)})`;
}

const isNotFound = (err: unknown): err is ResourceNotFoundException =>
  err instanceof Error && err.name === "ResourceNotFoundException";

export class SchedulerPurgeSchedules implements PurgeSchedules {
  constructor(
    private readonly targetArn: string,
    private readonly roleArn: string,
    private readonly client = new SchedulerClient({}),
  ) {}

  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): SchedulerPurgeSchedules {
    return new SchedulerPurgeSchedules(requireEnv(SPEC.targetEnv, env), requireEnv(SPEC.roleEnv, env));
  }

  async schedule(at: Date, target: PurgeTarget): Promise<void> {
    const input = {
      Name: purgeScheduleName(target.tenantId),
      Description: `Purge of tenant ${target.tenantId} (cancelled by ${target.eventId})`.slice(0, 512),
      ScheduleExpression: atExpression(at),
      ScheduleExpressionTimezone: "UTC",
      FlexibleTimeWindow: { Mode: "OFF" as const },
      State: "ENABLED" as const,
      ActionAfterCompletion: "DELETE" as const,
      Target: {
        Arn: this.targetArn,
        RoleArn: this.roleArn,
        Input: JSON.stringify(target),
        RetryPolicy: RETRY,
      },
    };
    try {
      await this.client.send(new CreateScheduleCommand(input));
    } catch (err) {
      if (!(err instanceof Error && err.name === "ConflictException")) throw err;
      await this.client.send(new UpdateScheduleCommand(input));
    }
  }

  async cancel(tenantId: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: purgeScheduleName(tenantId) }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async describe(tenantId: string): Promise<{ at: string; target: PurgeTarget } | undefined> {
    try {
      const out = await this.client.send(new GetScheduleCommand({ Name: purgeScheduleName(tenantId) }));
      const match = /^at\((.+)\)$/.exec(out.ScheduleExpression ?? "");
      const target = JSON.parse(out.Target?.Input ?? "{}") as PurgeTarget;
      return { at: match ? `${match[1]}Z` : (out.ScheduleExpression ?? ""), target };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
