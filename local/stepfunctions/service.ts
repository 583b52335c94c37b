/**
 * Local AWS Step Functions (JSON 1.0, X-Amz-Target AWSStepFunctions.<Op>): a small stand-in over
 * aws-local-stepfunctions, faithful to AWS where callers can tell: ARNs, names, errors, execution status,
 * history event types/ids/details, task tokens, redrive, status-change events, Standard-workflow semantics.
 *
 * Known gaps (see also engine.ts / definition.ts):
 * - Task resources: Lambda (function ARN, lambda:invoke), sqs:sendMessage and events:putEvents, each also as
 *   .waitForTaskToken. Others (.sync, DynamoDB, nested StartExecution, activities…) fail with States.Runtime.
 * - JSONata, Assign/variables and distributed Map are refused at CreateStateMachine (the library ignores them).
 * - Redrive resumes at the failed (or aborted) top-level state with that state's recorded input. A failed
 *   Parallel or Map is re-run whole (all branches/iterations; AWS re-runs only the unsuccessful ones): an
 *   acceptable simplification while steps are idempotent.
 * - previousEventId follows the causal chain within a state and branch, but Parallel/Map "succeeded" events
 *   point at the latest event; no TaskStateAborted/MapIterationAborted events; no 25,000-event or 256 KB
 *   payload limits; EXPRESS machines run like STANDARD ones; no versions, aliases, tags, logging or X-Ray.
 * - StartExecution with a name in use: the same input while the execution is RUNNING returns it (idempotent);
 *   a closed execution or a different input → ExecutionAlreadyExists (AWS's rule).
 * - Status-change events go to the default bus through the edge, best effort.
 *
 * Memory: only executions the engine needs are held whole (`live`: RUNNING, or with status-change events still to
 * send). A finished one is its file on disk (store.ts), read on demand by Describe*, GetExecutionHistory,
 * StopExecution, RedriveExecution (which brings it back into `live`) and late task callbacks; what stays in
 * memory is a small summary per execution (`finished`: status, dates, redrive count, keyed by state machine and
 * name) for ListExecutions and StartExecution's name check. A summary is ~200 bytes against ~10 KB for a record
 * with its history; an on-disk index would make every ListExecutions read and parse a file of all executions,
 * and StartExecution's name check (answered before any write) a file read. Start-up reads the summaries from
 * execution-index.jsonl, not from each execution's history.
 */
import { randomUUID } from "node:crypto";
import { AwsError } from "../aws/errors.js";
import { type JsonService, operationTable } from "../aws/json-service.js";
import { epochSeconds } from "../aws/paging.js";
import type { LocalContext } from "../context.js";
import {
  checkExecutionArn,
  checkName,
  checkStateMachineArn,
  executionArn,
  executionArnOf,
  executionParts,
  stateMachineArn,
} from "./arns.js";
import { parseDefinition, prepareDefinition } from "./definition.js";
import { ExecutionEngine } from "./engine.js";
import { type ExecutionSummary, settled, summaryOf } from "./execution-index.js";
import { appendEvent, json, NOT_TRUNCATED, presentEvent } from "./history.js";
import { Integrations } from "./integrations.js";
import { CLOSED_UNSUCCESSFUL, type ExecutionRecord, type StateMachineRecord } from "./model.js";
import { optionalString, page, required, validation } from "./request.js";
import { planResume } from "./resume.js";
import { StatusEvents } from "./status-events.js";
import { SfnStore } from "./store.js";
import { TaskTokens } from "./task-tokens.js";

export interface StepFunctionsService extends JsonService {
  /**
   * Continues the executions that were RUNNING when the process last ended (resume.ts). Called once the app's
   * functions are registered, before the edge serves requests.
   */
  resume(): void;
  /** Ends the running executions' local runs without recording anything and writes everything to disk: the
   * next start resumes them, as AWS would after a worker failure. */
  stop(): Promise<void>;
  /** Creates the state machine, or updates its definition (and role) if the name exists. Returns its ARN. */
  registerStateMachine(input: {
    name: string;
    definition: object | string;
    roleArn?: string;
    type?: "STANDARD";
  }): Promise<string>;
  /** Writes pending changes to disk now (they are otherwise written within a few ms). */
  flush(): Promise<void>;
  /** The executions held whole in memory, and how many others only as a summary (tests, diagnostics). */
  residency(): { whole: string[]; summaries: number };
}

/** A finished execution in memory: what ListExecutions shows besides its ARNs and name (its keys). */
type FinishedSummary = Omit<ExecutionSummary, "executionArn" | "stateMachineArn" | "name">;

const DEFAULT_ROLE_ARN = "arn:aws:iam::000000000000:role/embark-local-stepfunctions";
const MAX_PAYLOAD = 262_144;

/** A JSON payload (execution input, task output): at most 256 KB, and JSON, or AWS's errors for each. */
function payload(text: string, field: string, invalidCode: string, invalidPrefix: string): unknown {
  if (Buffer.byteLength(text) > MAX_PAYLOAD) {
    throw validation(field, `Member must have length less than or equal to ${MAX_PAYLOAD}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AwsError(invalidCode, `${invalidPrefix}: '${(err as Error).message}'`);
  }
}
const MAX_REDRIVES = 1000;
const MAX_HISTORY_FOR_REDRIVE = 24_999;

export async function createStepFunctionsService(
  ctx: LocalContext,
  opts: { retryIntervalScale?: number } = {},
): Promise<StepFunctionsService> {
  const scope = { region: ctx.region, accountId: ctx.accountId };
  const store = new SfnStore(ctx.stateDir);
  const statusEvents = new StatusEvents(ctx.edgeUrl, (rec) => saved(rec));
  const tokens = new TaskTokens(issued);
  const machines = new Map<string, StateMachineRecord>();
  /** Executions held whole, by ARN: RUNNING, or with status-change events still to send. */
  const live = new Map<string, ExecutionRecord>();
  /** Every other execution, by state machine ARN and name. */
  const finished = new Map<string, Map<string, FinishedSummary>>();

  const saveMachines = () => store.saveMachines(() => [...machines.values()]);
  const engine = new ExecutionEngine({
    retryIntervalScale: opts.retryIntervalScale ?? 1,
    integrations: new Integrations(ctx),
    tokens,
    changed: (rec) => saved(rec),
    statusChanged: (rec) => statusEvents.emit(rec),
    persist: () => store.sync(),
  });

  // ---- load persisted state ------------------------------------------------------------------------------
  const loaded = await store.load();
  for (const sm of loaded.machines) machines.set(sm.stateMachineArn, sm);
  // Tokens of tasks still in flight are waited for again when their execution resumes.
  for (const rec of loaded.open) live.set(rec.executionArn, rec);
  for (const summary of loaded.closed) remember(summary);
  let resumed = false;

  function resumeRunning(): void {
    if (resumed) return;
    resumed = true;
    for (const rec of [...live.values()]) {
      statusEvents.send(rec);
      if (rec.status !== "RUNNING") continue;
      try {
        const { states } = prepareDefinition(JSON.parse(rec.definition), { retryIntervalScale: 1 });
        engine.resume(rec, planResume(rec, states));
      } catch (err) {
        // Cannot be continued (should not happen): ABORTED and redrivable, and said why.
        console.error(`[stepfunctions] could not resume ${rec.executionArn}:`, err);
        engine.abort(rec, { error: "States.Runtime", cause: `The local cloud could not resume it: ${err}` });
      }
    }
  }

  // ---- helpers -------------------------------------------------------------------------------------------
  function machineOf(arn: unknown): StateMachineRecord {
    const checked = checkStateMachineArn(arn);
    const sm = machines.get(checked);
    if (!sm) throw new AwsError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${checked}'`);
    return sm;
  }

  /** The execution, whole: from memory, or (finished) read from disk. */
  async function executionOf(arn: unknown): Promise<ExecutionRecord> {
    const checked = checkExecutionArn(arn);
    const rec = live.get(checked) ?? (finishedSummary(checked) && (await store.readExecution(checked)));
    // A concurrent redrive may have brought it back into memory while it was read: that record is the one.
    const current = live.get(checked) ?? rec;
    if (!current) throw new AwsError("ExecutionDoesNotExist", `Execution Does Not Exist: '${checked}'`);
    return current;
  }

  function finishedSummary(arn: string): FinishedSummary | undefined {
    const { stateMachineArn, name } = executionParts(arn);
    return finished.get(stateMachineArn)?.get(name);
  }

  function remember(summary: ExecutionSummary): void {
    const { executionArn: _, stateMachineArn, name, ...rest } = summary;
    const byName = finished.get(stateMachineArn) ?? new Map<string, FinishedSummary>();
    if (byName.size === 0) finished.set(stateMachineArn, byName);
    byName.set(name, rest);
  }

  /** Persists a changed record and holds it whole exactly while it is RUNNING or has events to send. */
  function saved(rec: ExecutionRecord): void {
    store.saveExecution(rec);
    const arn = rec.executionArn;
    if (!settled(rec)) {
      if (live.get(arn) === rec) return;
      live.set(arn, rec);
      finished.get(rec.stateMachineArn)?.delete(rec.name);
    } else if (live.get(arn) === rec) {
      live.delete(arn);
      remember(summaryOf(rec));
    }
  }

  /** Whether an execution issued `token` (whose task is over, since it is not waited for). */
  async function issued(token: string, fileId: string | undefined): Promise<boolean> {
    for (const rec of live.values()) if (rec.taskTokens.includes(token)) return true;
    if (!fileId) return false;
    return (await store.readExecutionFile(fileId))?.taskTokens.includes(token) ?? false;
  }

  function createMachine(name: string, definition: unknown, roleArn: string, type: "STANDARD" | "EXPRESS") {
    const def = parseDefinition(definition);
    const now = Date.now();
    const sm: StateMachineRecord = {
      stateMachineArn: stateMachineArn(scope, checkName(name, "state machine")),
      name,
      definition: typeof definition === "string" ? definition : JSON.stringify(def),
      roleArn,
      type,
      creationDate: now,
      revisionId: randomUUID(),
    };
    machines.set(sm.stateMachineArn, sm);
    saveMachines();
    return sm;
  }

  function redriveStatus(rec: ExecutionRecord): { redriveStatus: string; redriveStatusReason?: string } {
    if (!CLOSED_UNSUCCESSFUL.includes(rec.status)) {
      return {
        redriveStatus: "NOT_REDRIVABLE",
        redriveStatusReason: `Execution is ${rec.status} and cannot be redriven`,
      };
    }
    if (rec.redriveCount >= MAX_REDRIVES) {
      return {
        redriveStatus: "NOT_REDRIVABLE",
        redriveStatusReason: "Execution has reached the maximum number of redrives",
      };
    }
    if (rec.history.length >= MAX_HISTORY_FOR_REDRIVE) {
      return {
        redriveStatus: "NOT_REDRIVABLE",
        redriveStatusReason: "Execution history has too many events",
      };
    }
    return { redriveStatus: "REDRIVABLE" };
  }

  function listItem(rec: ExecutionSummary) {
    return {
      executionArn: rec.executionArn,
      stateMachineArn: rec.stateMachineArn,
      name: rec.name,
      status: rec.status,
      startDate: epochSeconds(rec.startDate),
      stopDate: dateOrUndefined(rec.stopDate),
      redriveCount: rec.redriveCount,
      redriveDate: dateOrUndefined(rec.redriveDate),
    };
  }

  // ---- operations ----------------------------------------------------------------------------------------
  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    CreateStateMachine(input) {
      const name = required(input, "name");
      const roleArn = required(input, "roleArn");
      const definition = required(input, "definition");
      const type = machineType(input.type);
      const existing = machines.get(stateMachineArn(scope, checkName(name, "state machine")));
      if (existing) {
        // AWS: idempotent when everything matches, a conflict otherwise.
        if (existing.definition === definition && existing.roleArn === roleArn && existing.type === type) {
          return {
            stateMachineArn: existing.stateMachineArn,
            creationDate: epochSeconds(existing.creationDate),
          };
        }
        throw new AwsError(
          "StateMachineAlreadyExists",
          `State Machine Already Exists: '${existing.stateMachineArn}'`,
        );
      }
      const sm = createMachine(name, definition, roleArn, type);
      return { stateMachineArn: sm.stateMachineArn, creationDate: epochSeconds(sm.creationDate) };
    },

    DescribeStateMachine(input) {
      const sm = machineOf(input.stateMachineArn);
      return {
        stateMachineArn: sm.stateMachineArn,
        name: sm.name,
        status: "ACTIVE",
        definition: sm.definition,
        roleArn: sm.roleArn,
        type: sm.type,
        creationDate: epochSeconds(sm.creationDate),
        loggingConfiguration: { level: "OFF", includeExecutionData: false },
        tracingConfiguration: { enabled: false },
        revisionId: sm.revisionId,
      };
    },

    async DescribeStateMachineForExecution(input) {
      const rec = await executionOf(input.executionArn);
      const sm = machines.get(rec.stateMachineArn);
      return {
        stateMachineArn: rec.stateMachineArn,
        name: rec.stateMachineArn.split(":").at(-1),
        definition: rec.definition,
        roleArn: rec.roleArn,
        updateDate: epochSeconds(sm?.updateDate ?? sm?.creationDate ?? rec.startDate),
        loggingConfiguration: { level: "OFF", includeExecutionData: false },
        tracingConfiguration: { enabled: false },
      };
    },

    ListStateMachines(input) {
      const all = [...machines.values()].sort((a, b) => a.name.localeCompare(b.name));
      const { items, nextToken } = page(
        all,
        input,
        (sm) => sm.name,
        (sm, after) => sm.name > after,
      );
      return {
        stateMachines: items.map((sm) => ({
          stateMachineArn: sm.stateMachineArn,
          name: sm.name,
          type: sm.type,
          creationDate: epochSeconds(sm.creationDate),
        })),
        nextToken,
      };
    },

    UpdateStateMachine(input) {
      const sm = machineOf(input.stateMachineArn);
      if (input.definition === undefined && input.roleArn === undefined) {
        throw new AwsError(
          "MissingRequiredParameter",
          "Either the definition or the roleArn must be specified",
        );
      }
      if (input.definition !== undefined) {
        const definition = required(input, "definition");
        parseDefinition(definition);
        sm.definition = definition;
      }
      if (input.roleArn !== undefined) sm.roleArn = required(input, "roleArn");
      sm.updateDate = Date.now();
      sm.revisionId = randomUUID();
      saveMachines();
      return { updateDate: epochSeconds(sm.updateDate), revisionId: sm.revisionId };
    },

    DeleteStateMachine(input) {
      const arn = checkStateMachineArn(input.stateMachineArn);
      if (!machines.has(arn)) return {}; // AWS: deleting a missing state machine succeeds
      // AWS terminates the machine's running executions at their next state transition.
      for (const rec of engine.runningRecords()) {
        if (rec.stateMachineArn === arn) engine.abort(rec, { cause: "The state machine was deleted" });
      }
      machines.delete(arn);
      saveMachines();
      return {};
    },

    async StartExecution(input) {
      const sm = machineOf(input.stateMachineArn);
      const name = input.name === undefined ? randomUUID() : checkName(input.name, "execution");
      const inputText = input.input === undefined ? "{}" : input.input;
      if (typeof inputText !== "string") throw validation("input", "Member must be a string");
      const parsedInput = payload(
        inputText,
        "input",
        "InvalidExecutionInput",
        "Invalid State Machine Execution Input",
      );
      const arn = executionArn(scope, sm.name, name);
      const existing = live.get(arn);
      if (existing || finishedSummary(arn)) {
        // AWS: same name and input while the execution is open → the same answer; otherwise a conflict.
        if (existing?.status === "RUNNING" && sameJson(existing.input, parsedInput)) {
          return { executionArn: arn, startDate: epochSeconds(existing.startDate) };
        }
        throw new AwsError("ExecutionAlreadyExists", `Execution Already Exists: '${arn}'`);
      }
      const rec: ExecutionRecord = {
        executionArn: arn,
        stateMachineArn: sm.stateMachineArn,
        name,
        status: "RUNNING",
        input: inputText,
        startDate: Date.now(),
        redriveCount: 0,
        roleArn: sm.roleArn,
        definition: sm.definition,
        taskTokens: [],
        history: [],
      };
      appendEvent(rec, "ExecutionStarted", {
        input: json(parsedInput),
        inputDetails: NOT_TRUNCATED,
        roleArn: rec.roleArn,
      });
      saved(rec);
      statusEvents.emit(rec);
      engine.start(rec);
      // Answered once it is on disk: a crash after the answer resumes it rather than losing it.
      await store.sync();
      return { executionArn: arn, startDate: epochSeconds(rec.startDate) };
    },

    async DescribeExecution(input) {
      const rec = await executionOf(input.executionArn);
      const answer = {
        ...listItem(rec),
        input: rec.input,
        inputDetails: { included: true },
        output: rec.output,
        outputDetails: rec.output === undefined ? undefined : { included: true },
        error: rec.error,
        cause: rec.cause,
        ...redriveStatus(rec),
      };
      // What a caller is shown is on disk: a crash right after the answer never takes it back.
      await store.sync();
      return answer;
    },

    ListExecutions(input) {
      if (input.mapRunArn !== undefined) throw validation("mapRunArn", "Map Runs are not supported locally");
      const arn = checkStateMachineArn(input.stateMachineArn);
      const all: ExecutionSummary[] = [];
      for (const rec of live.values()) if (rec.stateMachineArn === arn) all.push(summaryOf(rec));
      for (const [name, summary] of finished.get(arn) ?? []) {
        all.push({ executionArn: executionArnOf(arn, name), stateMachineArn: arn, name, ...summary });
      }
      if (!machines.has(arn) && all.length === 0) {
        throw new AwsError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${arn}'`);
      }
      const status = input.statusFilter;
      if (
        status !== undefined &&
        !["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"].includes(
          String(status),
        )
      ) {
        throw validation(
          "statusFilter",
          "Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]",
        );
      }
      const redrive = input.redriveFilter;
      const filtered = all
        .filter((rec) => status === undefined || rec.status === status)
        .filter((rec) => redrive === undefined || (redrive === "REDRIVEN") === rec.redriveCount > 0)
        // Newest first; ties by ARN so pages are stable.
        .sort((a, b) => b.startDate - a.startDate || b.executionArn.localeCompare(a.executionArn));
      const key = (rec: ExecutionSummary) => `${String(rec.startDate).padStart(16, "0")}|${rec.executionArn}`;
      const { items, nextToken } = page(filtered, input, key, (rec, after) => key(rec) < after);
      return { executions: items.map(listItem), nextToken };
    },

    async GetExecutionHistory(input) {
      const rec = await executionOf(input.executionArn);
      const reverse = input.reverseOrder === true;
      const includeData = input.includeExecutionData !== false;
      const events = reverse ? [...rec.history].reverse() : rec.history;
      const key = (e: { id: number }) => String(e.id).padStart(10, "0");
      const { items, nextToken } = page(events, input, key, (e, after) =>
        reverse ? key(e) < after : key(e) > after,
      );
      const answer = { events: items.map((e) => presentEvent(e, includeData)), nextToken };
      await store.sync(); // as in DescribeExecution
      return answer;
    },

    async StopExecution(input) {
      const rec = await executionOf(input.executionArn);
      const error = optionalString(input, "error");
      const cause = optionalString(input, "cause");
      if (rec.status === "RUNNING") engine.abort(rec, { error, cause });
      await store.sync(); // stays ABORTED across a crash
      return { stopDate: epochSeconds(rec.stopDate ?? Date.now()) };
    },

    async RedriveExecution(input) {
      const rec = await executionOf(input.executionArn);
      const status = redriveStatus(rec);
      if (status.redriveStatus !== "REDRIVABLE") {
        throw new AwsError(
          "ExecutionNotRedrivable",
          `Execution '${rec.executionArn}' is not redrivable: ${status.redriveStatusReason}`,
        );
      }
      rec.redriveCount += 1;
      rec.redriveDate = Date.now();
      rec.status = "RUNNING";
      rec.stopDate = undefined;
      rec.output = undefined;
      rec.error = undefined;
      rec.cause = undefined;
      appendEvent(rec, "ExecutionRedriven", { redriveCount: rec.redriveCount });
      saved(rec);
      statusEvents.emit(rec);
      engine.start(rec, rec.resume);
      await store.sync();
      return { redriveDate: epochSeconds(rec.redriveDate) };
    },

    async SendTaskSuccess(input) {
      const token = taskToken(input);
      const parsed = payload(required(input, "output"), "output", "InvalidOutput", "Invalid Output");
      await tokens.sendSuccess(token, parsed);
      await recorded();
      return {};
    },

    async SendTaskFailure(input) {
      const token = taskToken(input);
      await tokens.sendFailure(token, optionalString(input, "error"), optionalString(input, "cause"));
      await recorded();
      return {};
    },

    async SendTaskHeartbeat(input) {
      await tokens.sendHeartbeat(taskToken(input));
      await recorded();
      return {};
    },
  };

  /** After a callback: the task's outcome is written (next macrotask) and on disk before the answer. */
  async function recorded(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    await store.sync();
  }

  return {
    signingName: "states",
    targetPrefix: "AWSStepFunctions",

    handle: operationTable("Step Functions", operations),

    // Arrow functions: the cloud calls stop() unbound.
    resume: resumeRunning,

    stop: async () => {
      engine.suspendAll();
      await statusEvents.stop();
      await store.flush();
    },

    flush: () => store.flush(),

    residency: () => ({
      whole: [...live.keys()],
      summaries: [...finished.values()].reduce((n, byName) => n + byName.size, 0),
    }),

    registerStateMachine: async ({ name, definition, roleArn, type }) => {
      const arn = stateMachineArn(scope, checkName(name, "state machine"));
      const text = typeof definition === "string" ? definition : JSON.stringify(definition);
      const existing = machines.get(arn);
      if (!existing)
        return createMachine(name, text, roleArn ?? DEFAULT_ROLE_ARN, type ?? "STANDARD").stateMachineArn;
      parseDefinition(text);
      if (existing.definition !== text || (roleArn && existing.roleArn !== roleArn)) {
        existing.definition = text;
        if (roleArn) existing.roleArn = roleArn;
        existing.updateDate = Date.now();
        existing.revisionId = randomUUID();
        saveMachines();
      }
      return arn;
    },
  };
}

// ---- helpers -------------------------------------------------------------------------------------------------

function taskToken(input: Record<string, unknown>): string {
  const token = required(input, "taskToken");
  if (token.length < 1 || token.length > 2048) {
    throw validation("taskToken", "Member must have length between 1 and 2048");
  }
  return token;
}

function machineType(type: unknown): "STANDARD" | "EXPRESS" {
  if (type === undefined || type === "STANDARD") return "STANDARD";
  if (type === "EXPRESS") return "EXPRESS";
  throw validation("type", "Member must satisfy enum value set: [STANDARD, EXPRESS]");
}

function sameJson(text: string, value: unknown): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(value);
  } catch {
    return false;
  }
}

/** AWS JSON protocols carry timestamps as epoch seconds (numbers; a JSON Date string would not parse). */

function dateOrUndefined(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : epochSeconds(ms);
}
