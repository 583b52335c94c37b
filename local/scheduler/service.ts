/**
 * Local EventBridge Scheduler: CreateSchedule, GetSchedule, UpdateSchedule, DeleteSchedule and ListSchedules
 * over the service's REST-JSON protocol (SigV4 service "scheduler") behind the edge, and the schedules firing
 * on time: `rate(…)`, `cron(…)` and one-time `at(…)` expressions (expression.ts), start and end dates, time
 * zones, ENABLED/DISABLED, ActionAfterCompletion DELETE, the context attributes in Input
 * (`<aws.scheduler.scheduled-time>` …). A Lambda target is invoked asynchronously (Event), so Lambda's own
 * retries apply; when the function cannot be invoked at all, the RetryPolicy is honoured (backoff, maximum age
 * and attempts) and then the DeadLetterConfig queue gets the event.
 *
 * Durable like the service: schedules and each one's next time persist in the state directory, so a one-time
 * schedule that came due while the local cloud was down fires once it is back, and a recurring one fires once
 * for the time it missed, then keeps its grid. Invocations are at least once: a crash between invoking and
 * recording it repeats that invocation.
 *
 * Known gaps: Lambda targets only (templated and universal targets of other services are refused with a
 * ValidationException); the flexible time window is accepted but invocations happen at the scheduled time;
 * only the `default` schedule group (no CreateScheduleGroup); no tags or KMS (KmsKeyArn is stored); ClientToken
 * is not used to make a retried create idempotent; invocations are exact to the millisecond (AWS: within the
 * minute).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { localClientConfig } from "../aws/client-config.js";
import { AwsError } from "../aws/errors.js";
import { validation } from "../aws/validation.js";
import type { LocalContext } from "../context.js";
import { functionNameOf } from "../lambda/registry.js";
import { isTimeZone, nextOccurrence, parseExpression } from "./expression.js";
import { type ScheduleRecord, ScheduleStore, scheduleKey, type TargetRecord } from "./store.js";

type Input = Record<string, unknown>;

export interface SchedulerService {
  readonly signingName: "scheduler";
  handleHttp(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void>;
  /** CreateSchedule, or UpdateSchedule when it exists (boot-time wiring; the API's input and output). */
  putSchedule(input: Input): Promise<{ ScheduleArn: string }>;
  stop(): Promise<void>;
}

const DEFAULT_GROUP = "default";
const NAME_RE = /^[0-9a-zA-Z\-_.]{1,64}$/;
const LAMBDA_ARN = /^arn:aws[\w-]*:lambda:[^:]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/;
/** setTimeout's ceiling is ~24.8 days; waking hourly also picks up a clock change. */
const MAX_SLEEP_MS = 3_600_000;
const DEFAULT_RETRY = { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 };

const notFound = (name: string) =>
  new AwsError("ResourceNotFoundException", `Schedule ${name} does not exist.`, 404);

export async function createSchedulerService(ctx: LocalContext): Promise<SchedulerService> {
  const store = new ScheduleStore(ctx.stateDir);
  await store.load();
  const arnOf = (group: string, name: string) =>
    `arn:aws:scheduler:${ctx.region}:${ctx.accountId}:schedule/${group}/${name}`;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const retries = new Set<NodeJS.Timeout>();

  // ------------------------------------------------------------------------------------------ validation

  function str(value: unknown, field: string, max: number, required = false): string | undefined {
    if (value === undefined || value === null || value === "") {
      if (required)
        throw validation(
          `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
        );
      return undefined;
    }
    if (typeof value !== "string" || value.length > max)
      throw validation(
        `Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
      );
    return value;
  }

  function epochMs(value: unknown, field: string): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "number" || !Number.isFinite(value))
      throw validation(`Value at '${field}' must be a timestamp.`);
    return Math.round(value * 1000);
  }

  function group(value: unknown): string {
    const g = str(value, "groupName", 64) ?? DEFAULT_GROUP;
    if (g !== DEFAULT_GROUP)
      throw new AwsError("ResourceNotFoundException", `Schedule group ${g} does not exist.`, 404);
    return g;
  }

  function name(value: unknown): string {
    const n = str(value, "name", 64, true)!;
    if (!NAME_RE.test(n))
      throw validation(
        `Value '${n}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$`,
      );
    return n;
  }

  function target(value: unknown): TargetRecord {
    if (typeof value !== "object" || value === null)
      throw validation(
        "1 validation error detected: Value null at 'target' failed to satisfy constraint: Member must not be null",
      );
    const t = value as Input;
    const arn = str(t.Arn, "target.arn", 1600, true)!;
    const roleArn = str(t.RoleArn, "target.roleArn", 1600, true)!;
    if (!LAMBDA_ARN.test(arn)) {
      throw validation(
        `The local EventBridge Scheduler invokes Lambda functions only; ${arn} is not a function ARN.`,
      );
    }
    const input = str(t.Input, "target.input", 8192);
    if (input !== undefined) {
      try {
        JSON.parse(substitute(input, { arn: "x", time: "x", id: "x", attempt: 1 }));
      } catch {
        throw validation("Target Input for an AWS Lambda target must be valid JSON.");
      }
    }
    const retry = t.RetryPolicy as Input | undefined;
    if (retry !== undefined) {
      const age = retry.MaximumEventAgeInSeconds;
      const attempts = retry.MaximumRetryAttempts;
      if (age !== undefined && (typeof age !== "number" || age < 60 || age > 86_400))
        throw validation(
          "Value at 'target.retryPolicy.maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value between 60 and 86400",
        );
      if (attempts !== undefined && (typeof attempts !== "number" || attempts < 0 || attempts > 185))
        throw validation(
          "Value at 'target.retryPolicy.maximumRetryAttempts' failed to satisfy constraint: Member must have value between 0 and 185",
        );
    }
    const dlq = (t.DeadLetterConfig as Input | undefined)?.Arn;
    if (
      dlq !== undefined &&
      (typeof dlq !== "string" || !/^arn:aws[\w-]*:sqs:[^:]+:\d{12}:[\w.-]+$/.test(dlq))
    )
      throw validation("Value at 'target.deadLetterConfig.arn' must be an Amazon SQS queue ARN.");
    return {
      Arn: arn,
      RoleArn: roleArn,
      ...(input !== undefined ? { Input: input } : {}),
      ...(retry ? { RetryPolicy: { ...(retry as TargetRecord["RetryPolicy"]) } } : {}),
      ...(dlq ? { DeadLetterConfig: { Arn: dlq } } : {}),
    };
  }

  function window(value: unknown): ScheduleRecord["FlexibleTimeWindow"] {
    if (typeof value !== "object" || value === null)
      throw validation(
        "1 validation error detected: Value null at 'flexibleTimeWindow' failed to satisfy constraint: Member must not be null",
      );
    const w = value as Input;
    if (w.Mode === "OFF") {
      if (w.MaximumWindowInMinutes !== undefined)
        throw validation("MaximumWindowInMinutes must not be set when Mode is OFF.");
      return { Mode: "OFF" };
    }
    if (w.Mode === "FLEXIBLE") {
      const m = w.MaximumWindowInMinutes;
      if (typeof m !== "number" || !Number.isInteger(m) || m < 1 || m > 1440)
        throw validation("MaximumWindowInMinutes must be between 1 and 1440 when Mode is FLEXIBLE.");
      return { Mode: "FLEXIBLE", MaximumWindowInMinutes: m };
    }
    throw validation(
      `Value '${String(w.Mode)}' at 'flexibleTimeWindow.mode' failed to satisfy constraint: Member must satisfy enum value set: [OFF, FLEXIBLE]`,
    );
  }

  function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[], fallback: T): T {
    if (value === undefined || value === null) return fallback;
    if (!allowed.includes(value as T))
      throw validation(
        `Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(", ")}]`,
      );
    return value as T;
  }

  /** A schedule record from a Create/UpdateSchedule input (everything validated). */
  function recordFrom(input: Input, existing?: ScheduleRecord): ScheduleRecord {
    const n = name(input.Name);
    const g = group(input.GroupName);
    const expression = str(input.ScheduleExpression, "scheduleExpression", 256, true)!;
    const parsed = parseExpression(expression);
    const timeZone = str(input.ScheduleExpressionTimezone, "scheduleExpressionTimezone", 50);
    if (timeZone !== undefined && !isTimeZone(timeZone)) throw validation(`Invalid timezone ${timeZone}.`);
    const start = epochMs(input.StartDate, "startDate");
    const end = epochMs(input.EndDate, "endDate");
    if (start !== undefined && end !== undefined && end <= start)
      throw validation("The EndDate you specify must come after the StartDate.");
    const now = Date.now();
    const record: ScheduleRecord = {
      Name: n,
      GroupName: g,
      Arn: arnOf(g, n),
      ScheduleExpression: expression,
      ...(timeZone ? { ScheduleExpressionTimezone: timeZone } : {}),
      ...(start !== undefined ? { StartDate: start } : {}),
      ...(end !== undefined ? { EndDate: end } : {}),
      ...(str(input.Description, "description", 512) !== undefined
        ? { Description: input.Description as string }
        : {}),
      State: oneOf(input.State, "state", ["ENABLED", "DISABLED"] as const, "ENABLED"),
      Target: target(input.Target),
      FlexibleTimeWindow: window(input.FlexibleTimeWindow),
      ActionAfterCompletion: oneOf(
        input.ActionAfterCompletion,
        "actionAfterCompletion",
        ["NONE", "DELETE"] as const,
        "NONE",
      ),
      ...(str(input.KmsKeyArn, "kmsKeyArn", 2048) !== undefined
        ? { KmsKeyArn: input.KmsKeyArn as string }
        : {}),
      CreationDate: existing?.CreationDate ?? now,
      LastModificationDate: now,
      anchor: start ?? now,
    };
    // Same timing as before: keep the rate grid and the next time (a state or target change re-times nothing).
    const sameTiming =
      existing &&
      existing.ScheduleExpression === record.ScheduleExpression &&
      existing.ScheduleExpressionTimezone === record.ScheduleExpressionTimezone &&
      existing.StartDate === record.StartDate &&
      existing.EndDate === record.EndDate;
    if (sameTiming) {
      record.anchor = existing.anchor;
      if (existing.lastFiredAt !== undefined) record.lastFiredAt = existing.lastFiredAt;
      const resumed = existing.State === "DISABLED" && record.State === "ENABLED";
      // A recurring schedule enabled again goes on from now; times missed while disabled are not made up.
      if (parsed.kind !== "at" && (resumed || existing.nextAt === undefined))
        record.nextAt = following(record, now - 1);
      else if (existing.nextAt !== undefined) record.nextAt = existing.nextAt;
    } else {
      record.nextAt = first(record, now);
    }
    return record;
  }

  // -------------------------------------------------------------------------------------------- timing

  /** The first time a new (or re-timed) schedule fires. */
  function first(s: ScheduleRecord, now: number): number | undefined {
    const e = parseExpression(s.ScheduleExpression);
    const from = e.kind === "at" ? now : Math.max(now, s.StartDate ?? now);
    return within(
      s,
      nextOccurrence(e, { from, anchor: s.anchor, timeZone: s.ScheduleExpressionTimezone ?? "UTC" }),
    );
  }

  /** The time after one that fired at `firedAt` (never in the past: missed times are not made up one by one). */
  function following(s: ScheduleRecord, firedAt: number): number | undefined {
    const e = parseExpression(s.ScheduleExpression);
    if (e.kind === "at") return undefined;
    const from = Math.max(firedAt + 1, Date.now(), s.StartDate ?? 0);
    return within(
      s,
      nextOccurrence(e, { from, anchor: s.anchor, timeZone: s.ScheduleExpressionTimezone ?? "UTC" }),
    );
  }

  function within(s: ScheduleRecord, t: number | undefined): number | undefined {
    if (t === undefined) return undefined;
    const oneTime = s.ScheduleExpression.startsWith("at(");
    // AWS ignores EndDate for one-time schedules.
    return !oneTime && s.EndDate !== undefined && t > s.EndDate ? undefined : t;
  }

  function arm(): void {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = undefined;
    let next: number | undefined;
    for (const s of store.schedules.values()) {
      if (s.State === "ENABLED" && s.nextAt !== undefined && (next === undefined || s.nextAt < next))
        next = s.nextAt;
    }
    if (next === undefined) return;
    timer = setTimeout(() => void tick(), Math.min(Math.max(next - Date.now(), 0), MAX_SLEEP_MS));
    timer.unref();
  }

  let ticking: Promise<void> = Promise.resolve();
  function tick(): Promise<void> {
    ticking = ticking.then(async () => {
      if (stopped) return;
      const now = Date.now();
      let changed = false;
      for (const s of [...store.schedules.values()]) {
        if (s.State !== "ENABLED" || s.nextAt === undefined || s.nextAt > now) continue;
        const scheduledTime = s.nextAt;
        deliver(s, scheduledTime);
        s.lastFiredAt = scheduledTime;
        s.nextAt = following(s, scheduledTime);
        if (s.nextAt === undefined && s.ActionAfterCompletion === "DELETE") {
          store.schedules.delete(scheduleKey(s.GroupName, s.Name));
        } else if (s.nextAt === undefined) {
          delete s.nextAt;
        }
        changed = true;
      }
      if (changed) await store.save();
      arm();
    });
    return ticking;
  }

  // ------------------------------------------------------------------------------------------ delivery

  function deliver(s: ScheduleRecord, scheduledTime: number, attempt = 1): void {
    if (stopped) return;
    const event = s.Target.Input
      ? JSON.parse(
          substitute(s.Target.Input, {
            arn: s.Arn,
            time: new Date(scheduledTime).toISOString().replace(/\.\d{3}Z$/, "Z"),
            id: randomUUID().replaceAll("-", "").slice(0, 16),
            attempt,
          }),
        )
      : {};
    if (ctx.functions.has(s.Target.Arn)) {
      // Asynchronous (Event) invocation: Lambda's own retries take it from here.
      ctx.functions.invokeAsync(functionNameOf(s.Target.Arn), event);
      return;
    }
    const retry = { ...DEFAULT_RETRY, ...s.Target.RetryPolicy };
    const age = Date.now() - scheduledTime;
    const delay = Math.min(1000 * 2 ** (attempt - 1), 60_000);
    if (attempt <= retry.MaximumRetryAttempts && age + delay <= retry.MaximumEventAgeInSeconds * 1000) {
      const t = setTimeout(() => {
        retries.delete(t);
        deliver(s, scheduledTime, attempt + 1);
      }, delay);
      t.unref();
      retries.add(t);
      return;
    }
    console.warn(
      `[scheduler] ${s.Name}: function ${s.Target.Arn} not found; giving up after ${attempt} attempts`,
    );
    if (s.Target.DeadLetterConfig?.Arn) void deadLetter(s, event, scheduledTime);
  }

  async function deadLetter(s: ScheduleRecord, event: unknown, scheduledTime: number): Promise<void> {
    const sqs = new SQSClient(localClientConfig(ctx.edgeUrl));
    try {
      const queueName = s.Target.DeadLetterConfig!.Arn!.split(":").at(-1)!;
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
      await sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: JSON.stringify(event),
          MessageAttributes: {
            ERROR_CODE: { DataType: "String", StringValue: "ResourceNotFoundException" },
            EXECUTION_ID: { DataType: "String", StringValue: randomUUID() },
            SCHEDULE_ARN: { DataType: "String", StringValue: s.Arn },
            TARGET_ARN: { DataType: "String", StringValue: s.Target.Arn },
            SCHEDULED_TIME: { DataType: "String", StringValue: new Date(scheduledTime).toISOString() },
          },
        }),
      );
    } catch (err) {
      console.warn(`[scheduler] ${s.Name}: could not dead-letter the event:`, err);
    } finally {
      sqs.destroy();
    }
  }

  // ------------------------------------------------------------------------------------------ operations

  const epoch = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

  function describe(s: ScheduleRecord) {
    return {
      Arn: s.Arn,
      GroupName: s.GroupName,
      Name: s.Name,
      ScheduleExpression: s.ScheduleExpression,
      ScheduleExpressionTimezone: s.ScheduleExpressionTimezone,
      StartDate: epoch(s.StartDate),
      EndDate: epoch(s.EndDate),
      Description: s.Description,
      State: s.State,
      CreationDate: epoch(s.CreationDate),
      LastModificationDate: epoch(s.LastModificationDate),
      KmsKeyArn: s.KmsKeyArn,
      Target: s.Target,
      FlexibleTimeWindow: s.FlexibleTimeWindow,
      ActionAfterCompletion: s.ActionAfterCompletion,
    };
  }

  function existing(groupName: unknown, n: string): ScheduleRecord {
    const s = store.schedules.get(scheduleKey(group(groupName), n));
    if (!s) throw notFound(n);
    return s;
  }

  async function create(input: Input) {
    const g = group(input.GroupName);
    const n = name(input.Name);
    if (store.schedules.has(scheduleKey(g, n)))
      throw new AwsError("ConflictException", `Schedule ${n} already exists.`, 409);
    const record = recordFrom(input);
    store.schedules.set(scheduleKey(g, n), record);
    await store.save();
    arm();
    return { ScheduleArn: record.Arn };
  }

  async function update(input: Input) {
    const n = name(input.Name);
    const before = existing(input.GroupName, n);
    const record = recordFrom(input, before);
    store.schedules.set(scheduleKey(record.GroupName, n), record);
    await store.save();
    arm();
    return { ScheduleArn: record.Arn };
  }

  async function remove(groupName: unknown, n: string) {
    const s = existing(groupName, n);
    store.schedules.delete(scheduleKey(s.GroupName, s.Name));
    await store.save();
    arm();
    return {};
  }

  function list(q: URLSearchParams) {
    const g = q.get("ScheduleGroup") ?? undefined;
    const prefix = q.get("NamePrefix") ?? "";
    const state = q.get("State");
    if (state !== null) oneOf(state, "state", ["ENABLED", "DISABLED"] as const, "ENABLED");
    const max = q.get("MaxResults") === null ? 100 : Number(q.get("MaxResults"));
    if (!Number.isInteger(max) || max < 1 || max > 100)
      throw validation(
        "Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100",
      );
    const all = [...store.schedules.values()]
      .filter((s) => (!g || s.GroupName === g) && s.Name.startsWith(prefix) && (!state || s.State === state))
      .sort((a, b) => a.Name.localeCompare(b.Name));
    const start =
      Number(q.get("NextToken") ? Buffer.from(q.get("NextToken")!, "base64url").toString() : 0) || 0;
    const page = all.slice(start, start + max);
    return {
      Schedules: page.map((s) => ({
        Arn: s.Arn,
        Name: s.Name,
        GroupName: s.GroupName,
        State: s.State,
        CreationDate: epoch(s.CreationDate),
        LastModificationDate: epoch(s.LastModificationDate),
        Target: { Arn: s.Target.Arn },
      })),
      ...(start + max < all.length
        ? { NextToken: Buffer.from(String(start + max)).toString("base64url") }
        : {}),
    };
  }

  async function route(method: string, url: URL, body: Buffer): Promise<unknown> {
    const m = /^\/schedules(?:\/([^/]+))?\/?$/.exec(url.pathname);
    if (!m)
      throw new AwsError("UnknownOperationException", `Unknown operation ${method} ${url.pathname}`, 404);
    const n = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
    let input: Input = {};
    if (body.length > 0) {
      try {
        input = JSON.parse(body.toString("utf8")) as Input;
      } catch {
        throw new AwsError("SerializationException", "Request body is not valid JSON");
      }
    }
    if (n === undefined && method === "GET") return list(url.searchParams);
    if (n !== undefined) {
      if (method === "POST") return create({ ...input, Name: n });
      if (method === "PUT") return update({ ...input, Name: n });
      if (method === "GET") return describe(existing(url.searchParams.get("groupName"), n));
      if (method === "DELETE") return remove(url.searchParams.get("groupName"), n);
    }
    throw new AwsError("UnknownOperationException", `Unknown operation ${method} ${url.pathname}`, 404);
  }

  // Due while the cloud was down (or never timed): fire now, then keep time.
  const now = Date.now();
  for (const s of store.schedules.values()) {
    if (s.nextAt === undefined && s.lastFiredAt === undefined) s.nextAt = first(s, now);
  }
  arm();

  return {
    signingName: "scheduler",
    async handleHttp(req, body, res) {
      const url = new URL(req.url ?? "/", "http://scheduler");
      try {
        const out = await route(req.method ?? "GET", url, body);
        res.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": randomUUID() });
        res.end(JSON.stringify(out));
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        // REST-JSON errors: the code in x-amzn-ErrorType, the message in the body.
        res.writeHead(err.status, {
          "content-type": "application/json",
          "x-amzn-requestid": randomUUID(),
          "x-amzn-errortype": err.code,
        });
        res.end(JSON.stringify({ Message: err.message, message: err.message }));
      }
    },
    async putSchedule(input) {
      const key = scheduleKey(group(input.GroupName), name(input.Name));
      return store.schedules.has(key) ? update(input) : create(input);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const t of retries) clearTimeout(t);
      await ticking;
      await store.flush();
    },
  };
}

/** Replaces the context attributes EventBridge Scheduler offers in a target's Input. */
function substitute(input: string, v: { arn: string; time: string; id: string; attempt: number }): string {
  return input
    .replaceAll("<aws.scheduler.schedule-arn>", v.arn)
    .replaceAll("<aws.scheduler.scheduled-time>", v.time)
    .replaceAll("<aws.scheduler.execution-id>", v.id)
    .replaceAll("<aws.scheduler.attempt-number>", String(v.attempt));
}
