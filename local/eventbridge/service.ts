/**
 * Local EventBridge: a small stand-in for Amazon EventBridge's event buses, rules and PutEvents, spoken over the
 * AWS JSON 1.1 protocol (X-Amz-Target: AWSEvents.<Operation>) behind the edge. Faithful to AWS in what callers
 * see: operation names, request/response shapes, exception names, the delivered event's shape, rule ARNs,
 * PutEvents' per-entry errors and FailedEntryCount, DeleteRule refusing while targets remain, "default" always
 * existing, and pattern semantics (see pattern.ts). Buses, rules and targets persist in ctx.stateDir; deliveries
 * still owed are journaled (journal.ts) before PutEvents answers and resumed after a restart.
 *
 * Known gaps: no scheduled rules (ScheduleExpression is stored, never fires); no archives, replays, API
 * destinations, connections, partner sources, endpoints, permissions or tags; sources starting with "aws." are
 * accepted from PutEvents (AWS refuses them from callers; here our own CodePipeline and Step Functions emit
 * through the same API); the 256 KB entry limit and request throttling are not enforced; pagination tokens are
 * plain offsets.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { AwsError } from "../aws/errors.js";
import { type JsonService, operationTable } from "../aws/json-service.js";
import { epochSeconds, paginate } from "../aws/paging.js";
import { listOf, optionalString, requireString, validation } from "../aws/validation.js";
import type { LocalContext } from "../context.js";
import { isReservedVariable } from "./input.js";
import { DeliveryJournal } from "./journal.js";
import {
  type EventPattern,
  EventPatternError,
  matchesValidatedPattern,
  parseEventPattern,
} from "./pattern.js";
import { type BusRecord, type RuleRecord, RuleStore, ruleKey } from "./store.js";
import { type Target, TargetDelivery } from "./targets.js";

export { matchesPattern } from "./pattern.js";

type Input = Record<string, unknown>;

export interface EventBridgeService extends JsonService {
  /** PutRule, for boot-time wiring (same input and output as the API). */
  putRule(input: Input): Promise<{ RuleArn: string }>;
  /** PutTargets, for boot-time wiring (same input and output as the API). */
  putTargets(input: Input): Promise<{ FailedEntryCount: number; FailedEntries: unknown[] }>;
  /** Resolves once every delivery started so far has finished (tests, orderly shutdown). */
  idle(): Promise<void>;
  /** Continues the deliveries still owed when the process last ended (once the app's functions are registered). */
  resume(): void;
  /** Stops delivering; deliveries still owed stay journaled for the next start. */
  stop(): Promise<void>;
}

const DEFAULT_BUS = "default";
const RULE_STATES = new Set(["ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"]);
const NAME_RE = /^[.\-_A-Za-z0-9]{1,64}$/;
const BUS_NAME_RE = /^[/.\-_A-Za-z0-9]{1,256}$/;
const MAX_TARGETS_PER_RULE = 5;

export async function createEventBridgeService(ctx: LocalContext): Promise<EventBridgeService> {
  const store = new RuleStore(ctx.stateDir);
  await store.load();
  const journal = new DeliveryJournal(join(ctx.stateDir, "deliveries.jsonl"));
  const owed = await journal.load();
  const delivery = new TargetDelivery(ctx, journal);
  const patterns = new Map<string, EventPattern>();
  const arnPrefix = `arn:aws:events:${ctx.region}:${ctx.accountId}`;

  if (!store.buses.has(DEFAULT_BUS)) {
    const now = Date.now();
    store.buses.set(DEFAULT_BUS, {
      Name: DEFAULT_BUS,
      Arn: `${arnPrefix}:event-bus/${DEFAULT_BUS}`,
      CreationTime: now,
      LastModifiedTime: now,
    });
  }
  for (const [key, rule] of store.rules) {
    if (rule.EventPattern) patterns.set(key, parseEventPattern(rule.EventPattern));
  }

  // ---------------------------------------------------------------------------------------------- helpers

  function busName(value: unknown): string {
    if (value === undefined || value === null || value === "") return DEFAULT_BUS;
    const name = String(value);
    const m = /^arn:aws[\w-]*:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(name);
    return m ? m[1]! : name;
  }

  function existingBus(value: unknown): BusRecord {
    const name = busName(value);
    const bus = store.buses.get(name);
    if (!bus) throw new AwsError("ResourceNotFoundException", `Event bus ${name} does not exist.`);
    return bus;
  }

  function existingRule(name: unknown, bus: unknown): RuleRecord {
    const b = existingBus(bus);
    const n = requireString(name, "name");
    const rule = store.rules.get(ruleKey(b.Name, n));
    if (!rule)
      throw new AwsError("ResourceNotFoundException", `Rule ${n} does not exist on EventBus ${b.Name}.`);
    return rule;
  }

  function ruleArn(bus: string, name: string): string {
    return bus === DEFAULT_BUS ? `${arnPrefix}:rule/${name}` : `${arnPrefix}:rule/${bus}/${name}`;
  }

  function describeRule(rule: RuleRecord) {
    return {
      Name: rule.Name,
      Arn: rule.Arn,
      EventPattern: rule.EventPattern,
      ScheduleExpression: rule.ScheduleExpression,
      State: rule.State,
      Description: rule.Description,
      RoleArn: rule.RoleArn,
      EventBusName: rule.EventBusName,
      CreatedBy: ctx.accountId,
    };
  }

  function describeBus(bus: BusRecord) {
    return {
      Name: bus.Name,
      Arn: bus.Arn,
      Description: bus.Description,
      CreationTime: epochSeconds(bus.CreationTime),
      LastModifiedTime: epochSeconds(bus.LastModifiedTime),
    };
  }

  // ------------------------------------------------------------------------------------------- operations

  async function putRule(input: Input) {
    const name = requireString(input.Name, "name");
    if (!NAME_RE.test(name))
      throw validation(
        `Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`,
      );
    const bus = existingBus(input.EventBusName);
    const eventPattern = optionalString(input.EventPattern, "eventPattern");
    const schedule = optionalString(input.ScheduleExpression, "scheduleExpression");
    if (!eventPattern && !schedule) {
      throw validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
    }
    if (schedule && bus.Name !== DEFAULT_BUS) {
      throw validation("ScheduleExpression is supported only on the default event bus.");
    }
    const state = optionalString(input.State, "state") ?? "ENABLED";
    if (!RULE_STATES.has(state)) {
      throw validation(
        `Value '${state}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [${[...RULE_STATES].join(", ")}]`,
      );
    }
    let parsed: EventPattern | undefined;
    if (eventPattern) {
      try {
        parsed = parseEventPattern(eventPattern);
      } catch (err) {
        if (err instanceof EventPatternError) throw new AwsError("InvalidEventPatternException", err.message);
        throw err;
      }
    }
    const key = ruleKey(bus.Name, name);
    const previous = store.rules.get(key);
    // AWS replaces the whole definition (omitted fields are cleared) and keeps the targets.
    const rule: RuleRecord = {
      Name: name,
      Arn: ruleArn(bus.Name, name),
      EventBusName: bus.Name,
      EventPattern: eventPattern,
      ScheduleExpression: schedule,
      State: state,
      Description: optionalString(input.Description, "description"),
      RoleArn: optionalString(input.RoleArn, "roleArn"),
      CreatedAt: previous?.CreatedAt ?? Date.now(),
      Targets: previous?.Targets ?? [],
    };
    store.rules.set(key, rule);
    if (parsed) patterns.set(key, parsed);
    else patterns.delete(key);
    await store.save();
    return { RuleArn: rule.Arn };
  }

  async function putTargets(input: Input) {
    const rule = existingRule(input.Rule, input.EventBusName);
    const targets = listOf(input.Targets, "targets", 10);
    const incoming = targets.map((t) => validateTarget(t));
    const ids = new Set([...rule.Targets.map((t) => t.Id), ...incoming.map((t) => t.Id)]);
    if (ids.size > MAX_TARGETS_PER_RULE) {
      throw new AwsError(
        "LimitExceededException",
        "The requested resource exceeds the maximum number allowed.",
      );
    }
    for (const target of incoming) {
      const i = rule.Targets.findIndex((t) => t.Id === target.Id);
      if (i >= 0) rule.Targets[i] = target;
      else rule.Targets.push(target);
    }
    await store.save();
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  async function removeTargets(input: Input) {
    const rule = existingRule(input.Rule, input.EventBusName);
    const ids = listOf(input.Ids, "ids", 100);
    rule.Targets = rule.Targets.filter((t) => !ids.includes(t.Id));
    await store.save();
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  async function deleteRule(input: Input) {
    const bus = existingBus(input.EventBusName);
    const name = requireString(input.Name, "name");
    const key = ruleKey(bus.Name, name);
    const rule = store.rules.get(key);
    if (!rule) return {};
    if (rule.Targets.length > 0) throw validation("Rule can't be deleted since it has targets.");
    store.rules.delete(key);
    patterns.delete(key);
    await store.save();
    return {};
  }

  async function setState(input: Input, state: "ENABLED" | "DISABLED") {
    const rule = existingRule(input.Name, input.EventBusName);
    rule.State = state;
    await store.save();
    return {};
  }

  async function createEventBus(input: Input) {
    const name = requireString(input.Name, "name");
    if (!BUS_NAME_RE.test(name))
      throw validation(
        `Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+`,
      );
    if (store.buses.has(name))
      throw new AwsError("ResourceAlreadyExistsException", `Event bus ${name} already exists.`);
    const now = Date.now();
    const bus: BusRecord = {
      Name: name,
      Arn: `${arnPrefix}:event-bus/${name}`,
      Description: optionalString(input.Description, "description"),
      CreationTime: now,
      LastModifiedTime: now,
    };
    store.buses.set(name, bus);
    await store.save();
    return { EventBusArn: bus.Arn, Description: bus.Description };
  }

  async function deleteEventBus(input: Input) {
    const name = busName(requireString(input.Name, "name"));
    if (name === DEFAULT_BUS) throw validation("Cannot delete event bus default.");
    if (!store.buses.delete(name)) return {};
    // Deleting a bus deletes its rules (and their targets) with it.
    for (const [key, rule] of store.rules) {
      if (rule.EventBusName === name) {
        store.rules.delete(key);
        patterns.delete(key);
      }
    }
    await store.save();
    return {};
  }

  async function putEvents(input: Input) {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
      throw validation(
        "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1",
      );
    }
    const ingestion = isoSeconds(new Date());
    const journaled: Array<Promise<void>> = [];
    let failed = 0;
    const results = entries.map((raw) => {
      const entry = (raw ?? {}) as Input;
      const problem = entryProblem(entry);
      if (problem) {
        failed++;
        return problem;
      }
      const bus = store.buses.get(busName(entry.EventBusName));
      if (!bus) {
        failed++;
        return {
          ErrorCode: "ResourceNotFoundException",
          ErrorMessage: `Event bus ${busName(entry.EventBusName)} does not exist.`,
        };
      }
      const event = {
        version: "0",
        id: randomUUID(),
        "detail-type": entry.DetailType as string,
        source: entry.Source as string,
        account: ctx.accountId,
        time: isoSeconds(eventTime(entry.Time)),
        region: ctx.region,
        resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
        detail: JSON.parse(entry.Detail as string) as Input,
      };
      journaled.push(...route(bus.Name, event, ingestion));
      return { EventId: event.id };
    });
    // Answered once every delivery it owes is on disk.
    await Promise.all(journaled);
    return { FailedEntryCount: failed, Entries: results };
  }

  function route(bus: string, event: Input, ingestion: string): Array<Promise<void>> {
    const journaled: Array<Promise<void>> = [];
    for (const [key, rule] of store.rules) {
      if (rule.EventBusName !== bus || rule.State === "DISABLED") continue;
      const pattern = patterns.get(key);
      if (!pattern || !matchesValidatedPattern(pattern, event)) continue;
      for (const target of rule.Targets) {
        journaled.push(delivery.deliver({ name: rule.Name, arn: rule.Arn }, target, event, ingestion));
      }
    }
    return journaled;
  }

  function testEventPattern(input: Input) {
    const patternText = requireString(input.EventPattern, "eventPattern");
    const eventText = requireString(input.Event, "event");
    let pattern: EventPattern;
    try {
      pattern = parseEventPattern(patternText);
    } catch (err) {
      if (err instanceof EventPatternError) throw new AwsError("InvalidEventPatternException", err.message);
      throw err;
    }
    let event: unknown;
    try {
      event = JSON.parse(eventText);
    } catch {
      throw validation("Parameter Event is not valid.");
    }
    if (typeof event !== "object" || event === null || Array.isArray(event))
      throw validation("Parameter Event is not valid.");
    for (const field of ["id", "account", "source", "time", "region", "resources", "detail-type"]) {
      if (!(field in event))
        throw validation(
          `Parameter Event is not valid. Reason: Provided Json must contain field '${field}'.`,
        );
    }
    return { Result: matchesValidatedPattern(pattern, event) };
  }

  const operations: Record<string, (input: Input) => unknown> = {
    CreateEventBus: createEventBus,
    DescribeEventBus: (input) => describeBus(existingBus(input.Name)),
    ListEventBuses: (input) => {
      const prefix = optionalString(input.NamePrefix, "namePrefix") ?? "";
      const buses = [...store.buses.values()].filter((b) => b.Name.startsWith(prefix)).sort(byName);
      const { page, next: NextToken } = paginate(buses, input.Limit, input.NextToken);
      return { EventBuses: page.map(describeBus), NextToken };
    },
    DeleteEventBus: deleteEventBus,
    PutRule: putRule,
    DescribeRule: (input) => describeRule(existingRule(input.Name, input.EventBusName)),
    ListRules: (input) => {
      const bus = existingBus(input.EventBusName);
      const prefix = optionalString(input.NamePrefix, "namePrefix") ?? "";
      const rules = [...store.rules.values()]
        .filter((r) => r.EventBusName === bus.Name && r.Name.startsWith(prefix))
        .sort(byName);
      const { page, next: NextToken } = paginate(rules, input.Limit, input.NextToken);
      return { Rules: page.map(describeRule), NextToken };
    },
    DeleteRule: deleteRule,
    EnableRule: (input) => setState(input, "ENABLED"),
    DisableRule: (input) => setState(input, "DISABLED"),
    PutTargets: putTargets,
    RemoveTargets: removeTargets,
    ListTargetsByRule: (input) => {
      const rule = existingRule(input.Rule, input.EventBusName);
      const { page, next: NextToken } = paginate(rule.Targets, input.Limit, input.NextToken);
      return { Targets: page, NextToken };
    },
    ListRuleNamesByTarget: (input) => {
      const arn = requireString(input.TargetArn, "targetArn");
      const bus = existingBus(input.EventBusName);
      const names = [...store.rules.values()]
        .filter((r) => r.EventBusName === bus.Name && r.Targets.some((t) => t.Arn === arn))
        .map((r) => r.Name)
        .sort();
      const { page, next: NextToken } = paginate(names, input.Limit, input.NextToken);
      return { RuleNames: page, NextToken };
    },
    PutEvents: putEvents,
    EmbarkLocalSetTargetFailure: (input: Input) => {
      const arn = requireString(input.Arn, "arn");
      const code = input.ErrorCode === undefined ? undefined : requireString(input.ErrorCode, "errorCode");
      delivery.setFailure(arn, code);
      return {};
    },
    TestEventPattern: testEventPattern,
  };

  return {
    signingName: "events",
    targetPrefix: "AWSEvents",
    handle: operationTable("EventBridge", operations),
    putRule,
    putTargets,
    idle: () => delivery.idle(),
    resume: () => {
      delivery.resume(owed.splice(0));
    },
    async stop() {
      delivery.stop();
      await journal.close();
      await store.flush();
    },
  };
}

// ------------------------------------------------------------------------------------------ validation

function validateTarget(raw: unknown): Target {
  if (typeof raw !== "object" || raw === null) throw validation("Each target must be an object.");
  const t = raw as Target;
  const id = requireString(t.Id, "targets.member.id");
  if (!NAME_RE.test(id))
    throw validation(
      `Value '${id}' at 'targets.member.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`,
    );
  const arn = requireString(t.Arn, "targets.member.arn");
  if (/^arn:aws[\w-]*:sqs:.*\.fifo$/.test(arn) && !t.SqsParameters?.MessageGroupId) {
    throw validation(`Parameter(s) SqsParameters must be specified for target: ${id}.`);
  }
  const inputs = [t.Input, t.InputPath, t.InputTransformer].filter((v) => v !== undefined && v !== null);
  if (inputs.length > 1)
    throw validation("Only one of Input, InputPath, or InputTransformer must be provided.");
  if (t.Input !== undefined && t.Input !== null) {
    try {
      JSON.parse(requireString(t.Input, "targets.member.input"));
    } catch {
      throw validation(`Input for target ${id} is not valid JSON text.`);
    }
  }
  if (t.InputPath !== undefined && t.InputPath !== null && !String(t.InputPath).startsWith("$")) {
    throw validation(`InputPath for target ${id} is not a valid JSON path.`);
  }
  if (t.InputTransformer) {
    const tr = t.InputTransformer;
    requireString(tr.InputTemplate, "targets.member.inputTransformer.inputTemplate");
    const paths = tr.InputPathsMap ?? {};
    if (Object.keys(paths).length > 100) throw validation("InputPathsMap can have at most 100 entries.");
    for (const [name, path] of Object.entries(paths)) {
      if (isReservedVariable(name) || name.startsWith("aws.")) {
        throw validation(`InputTransformer variable name ${name} is reserved.`);
      }
      if (typeof path !== "string" || !path.startsWith("$")) {
        throw validation(`InputPathsMap value for ${name} is not a valid JSON path.`);
      }
    }
  }
  // Keep only what AWS stores (drops nulls the SDK never sends anyway).
  return JSON.parse(JSON.stringify(t)) as Target;
}

function entryProblem(entry: Input): { ErrorCode: string; ErrorMessage: string } | undefined {
  for (const field of ["Source", "DetailType", "Detail"] as const) {
    const value = entry[field];
    if (typeof value !== "string" || value === "") {
      return {
        ErrorCode: "InvalidArgument",
        ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
      };
    }
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail as string);
  } catch {
    return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
  }
  if (typeof detail !== "object" || detail === null || Array.isArray(detail)) {
    return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
  }
  if (entry.Resources !== undefined && !Array.isArray(entry.Resources)) {
    return { ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Resources is not valid." };
  }
  return undefined;
}

function eventTime(value: unknown): Date {
  // The SDK sends Time as epoch seconds; accept an ISO string too.
  if (typeof value === "number") return new Date(value * 1000);
  if (typeof value === "string" && !Number.isNaN(Date.parse(value))) return new Date(value);
  return new Date();
}

/** "2017-12-22T18:43:48Z": the time format of EventBridge events (no milliseconds). */
function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function byName(a: { Name: string }, b: { Name: string }): number {
  return a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0;
}
