/**
 * Local CodePipeline: a small stand-in for AWS CodePipeline (V2 pipelines) spoken over the AWS JSON 1.1 protocol
 * (X-Amz-Target: CodePipeline_20150709.<Operation>) behind the edge. Each execution runs a local deploy job
 * (deploy-job.ts) that takes a while and then succeeds, unless failure injection says otherwise, and emits
 * CodePipeline's EventBridge state-change events (events.ts). Faithful to AWS in what callers see: operation
 * names and shapes, exception names, pipeline-level variables (declared names only, defaults resolved),
 * clientRequestToken idempotency, QUEUED/PARALLEL execution modes, stop and wait / stop and abandon.
 *
 * Local-only additions: definePipeline() for boot-time wiring; failure injection via the pipeline variable
 * EMBARK_LOCAL_FAIL (accepted even when undeclared; its value is the failure reason) or
 * setPipelineBehaviour(name, {durationMs?, fail?, match?}) (with `match`, a rule for the runs whose variables
 * have those values, kept beside the rules of other matches; without, the behaviour of every run), also reachable
 * through the edge as
 * X-Amz-Target: CodePipeline_20150709.EmbarkLocalSetBehaviour with {name, durationMs?, fail?, match?}.
 *
 * Known gaps: no real actions run (no source, build or deploy providers, no artifacts or S3), so stage
 * declarations only name the stages and actions the job walks through; CreatePipeline does not require a
 * source stage or two stages; SUPERSEDED mode runs like QUEUED; no retries of stages, approvals, triggers,
 * webhooks, tags or GetPipelineState; behaviours are kept in memory only (a run keeps the duration and failure
 * it started with: they are in its record).
 *
 * Durable: an execution InProgress or Stopping when the local cloud stops or is killed continues at the next
 * start (resume()): its job finishes at its planned time and its events are sent (from the store's outbox).
 * Only a run whose pipeline was deleted meanwhile is marked Failed ("the local deploy job was lost").
 */
import { randomUUID } from "node:crypto";
import { AwsError } from "../aws/errors.js";
import { type JsonService, operationTable } from "../aws/json-service.js";
import { epochSeconds, paginate } from "../aws/paging.js";
import { optionalString, requireString, validation } from "../aws/validation.js";
import type { LocalContext } from "../context.js";
import { DeployJobs, FAIL_VARIABLE, type PipelineBehaviour } from "./deploy-job.js";
import { StateChangeEmitter } from "./events.js";
import {
  type ExecutionMode,
  type ExecutionRecord,
  type PipelineRecord,
  PipelineStore,
  type StageDeclaration,
  type VariableDeclaration,
} from "./store.js";

export type { PipelineBehaviour } from "./deploy-job.js";
export type { StageDeclaration, VariableDeclaration } from "./store.js";

type Input = Record<string, unknown>;

export interface PipelineDefinition {
  name: string;
  variables?: VariableDeclaration[];
  stages?: StageDeclaration[];
  executionMode?: ExecutionMode;
}

export interface CodePipelineService extends JsonService {
  /** Creates or updates a pipeline (boot-time wiring); the version goes up when the definition changes. */
  definePipeline(definition: PipelineDefinition): Promise<void>;
  /** Continues the executions in progress when the process last ended (once the app is wired). */
  resume(): void;
  /** Failure injection and timing for the pipeline's next runs; `{}` restores the defaults. */
  setPipelineBehaviour(name: string, behaviour: PipelineBehaviour): void;
  stop(): Promise<void>;
}

const LOST_ON_RESTART =
  "The local cloud restarted while this execution was in progress and its pipeline was deleted meanwhile; its local deploy job was lost.";
const TRIGGER_DETAIL = "arn:aws:sts::000000000000:assumed-role/embark-local/local";
const NAME_RE = /^[A-Za-z0-9.@\-_]{1,100}$/;
const VARIABLE_NAME_RE = /^[A-Za-z0-9@\-_]{1,128}$/;

const DEFAULT_STAGES: StageDeclaration[] = [
  {
    name: "Deploy",
    actions: [
      {
        name: "Deploy",
        actionTypeId: { category: "Build", owner: "AWS", provider: "CodeBuild", version: "1" },
        runOrder: 1,
        configuration: {},
      },
    ],
  },
];

export async function createCodePipelineService(
  ctx: LocalContext,
  opts: { defaultDurationMs?: number } = {},
): Promise<CodePipelineService> {
  const store = new PipelineStore(ctx.stateDir);
  await store.load();
  const emitter = new StateChangeEmitter(ctx, store.outbox, () => {
    store.save().catch((err) => console.error("[codepipeline] could not save state:", err));
  });
  // Per pipeline: a behaviour for every run, and rules for the runs whose variables `match` (suites sharing one
  // cloud each narrow theirs to their own tenants, so they never undo each other's).
  const behaviours = new Map<string, { all: PipelineBehaviour; rules: Map<string, PipelineBehaviour> }>();
  const behaviourOf = (name: string, variables: Record<string, string>): PipelineBehaviour => {
    const b = behaviours.get(name);
    const rule = [...(b?.rules.values() ?? [])].find((r) =>
      Object.entries(r.match ?? {}).every(([k, v]) => variables[k] === v),
    );
    return { ...b?.all, ...rule };
  };
  const jobs = new DeployJobs(store, emitter, behaviourOf, opts.defaultDurationMs ?? 1500);
  const pipelineArn = (name: string) => `arn:aws:codepipeline:${ctx.region}:${ctx.accountId}:${name}`;

  let resumed = false;
  function resume(): void {
    if (resumed) return;
    resumed = true;
    emitter.resume();
    const open = [...store.executions.values()]
      .filter((e) => e.status === "InProgress" || e.status === "Stopping")
      .sort((a, b) => a.startTime - b.startTime);
    for (const exec of open) {
      const pipeline = store.pipelines.get(exec.pipelineName);
      if (pipeline) {
        jobs.resume(exec, pipeline);
        continue;
      }
      exec.status = "Failed";
      exec.statusSummary = LOST_ON_RESTART;
      exec.lastUpdateTime = Date.now();
      emitter.pipeline(exec, "FAILED");
    }
  }

  // ---------------------------------------------------------------------------------------------- helpers

  function existingPipeline(name: unknown): PipelineRecord {
    const n = requireString(name, "name");
    const pipeline = store.pipelines.get(n);
    if (!pipeline) {
      throw new AwsError(
        "PipelineNotFoundException",
        `Account '${ctx.accountId}' does not have a pipeline with name '${n}'`,
      );
    }
    return pipeline;
  }

  function existingExecution(pipelineName: unknown, id: unknown): ExecutionRecord {
    const pipeline = existingPipeline(pipelineName);
    const execId = requireString(id, "pipelineExecutionId");
    const exec = store.executions.get(execId);
    if (!exec || exec.pipelineName !== pipeline.name) {
      throw new AwsError(
        "PipelineExecutionNotFoundException",
        `Pipeline Execution with id '${execId}' does not exist in pipeline with name '${pipeline.name}'`,
      );
    }
    return exec;
  }

  function declaration(p: PipelineRecord) {
    return {
      name: p.name,
      roleArn: p.roleArn ?? `arn:aws:iam::${ctx.accountId}:role/embark-local-pipeline`,
      artifactStore: p.artifactStore ?? { type: "S3", location: "embark-local-pipeline-artifacts" },
      stages: p.stages,
      version: p.version,
      executionMode: p.executionMode,
      pipelineType: "V2",
      variables: p.variables,
    };
  }

  function summary(e: ExecutionRecord) {
    return {
      pipelineExecutionId: e.pipelineExecutionId,
      status: e.status,
      statusSummary: e.statusSummary,
      startTime: epochSeconds(e.startTime),
      lastUpdateTime: epochSeconds(e.lastUpdateTime),
      sourceRevisions: [],
      trigger: e.trigger,
      stopTrigger: e.stopTrigger,
      executionMode: e.executionMode,
      executionType: "STANDARD",
    };
  }

  async function upsert(definition: PipelineDefinition, opts: { create?: boolean; update?: boolean }) {
    const name = requireString(definition.name, "pipeline.name");
    if (!NAME_RE.test(name))
      throw validation(`Pipeline name '${name}' must match [A-Za-z0-9.@\\-_]+ (1-100 chars)`);
    const previous = store.pipelines.get(name);
    if (opts.create && previous)
      throw new AwsError("PipelineNameInUseException", `Pipeline name in use: ${name}`);
    if (opts.update && !previous) existingPipeline(name);
    const variables = validateDeclarations(definition.variables ?? []);
    const stages = validateStages(
      definition.stages && definition.stages.length > 0 ? definition.stages : DEFAULT_STAGES,
    );
    const executionMode = definition.executionMode ?? previous?.executionMode ?? "QUEUED";
    if (!["QUEUED", "PARALLEL", "SUPERSEDED"].includes(executionMode)) {
      throw validation(`Unknown executionMode ${executionMode}`);
    }
    const now = Date.now();
    const extra = definition as PipelineDefinition & { roleArn?: string; artifactStore?: unknown };
    const next: PipelineRecord = {
      name,
      version: previous?.version ?? 1,
      variables,
      stages,
      executionMode: executionMode === "PARALLEL" ? "PARALLEL" : "QUEUED",
      roleArn: extra.roleArn ?? previous?.roleArn,
      artifactStore: extra.artifactStore ?? previous?.artifactStore,
      created: previous?.created ?? now,
      updated: now,
    };
    if (previous && sameDefinition(previous, next)) return previous;
    if (previous) next.version = previous.version + 1;
    store.pipelines.set(name, next);
    await store.save();
    return next;
  }

  // ------------------------------------------------------------------------------------------- operations

  async function startPipelineExecution(input: Input) {
    const pipeline = existingPipeline(input.name);
    const token = optionalString(input.clientRequestToken, "clientRequestToken");
    if (token) {
      for (const e of store.executions.values()) {
        if (e.pipelineName === pipeline.name && e.clientRequestToken === token) {
          return { pipelineExecutionId: e.pipelineExecutionId };
        }
      }
    }
    const variables = resolveVariables(pipeline, input.variables);
    const now = Date.now();
    const exec: ExecutionRecord = {
      pipelineName: pipeline.name,
      pipelineVersion: pipeline.version,
      pipelineExecutionId: randomUUID(),
      status: "InProgress",
      variables,
      executionMode: pipeline.executionMode,
      trigger: { triggerType: "StartPipelineExecution", triggerDetail: TRIGGER_DETAIL },
      clientRequestToken: token,
      startTime: now,
      lastUpdateTime: now,
    };
    store.executions.set(exec.pipelineExecutionId, exec);
    await store.save();
    jobs.launch(exec, pipeline);
    return { pipelineExecutionId: exec.pipelineExecutionId };
  }

  async function stopPipelineExecution(input: Input) {
    const exec = existingExecution(input.pipelineName, input.pipelineExecutionId);
    const abandon = input.abandon === true;
    const reason = optionalString(input.reason, "reason");
    if (exec.status === "Stopping" && !abandon) {
      throw new AwsError(
        "DuplicatedStopRequestException",
        "The pipeline execution is already in a Stopping state. If you already chose to stop and wait, you cannot make that request again. You can choose to stop and abandon now.",
      );
    }
    if (exec.status !== "InProgress" && exec.status !== "Stopping") {
      throw new AwsError(
        "PipelineExecutionNotStoppableException",
        `Unable to stop pipeline execution. Pipeline execution ${exec.pipelineExecutionId} is ${exec.status}.`,
      );
    }
    jobs.stop(exec, abandon, reason);
    await store.save();
    return { pipelineExecutionId: exec.pipelineExecutionId };
  }

  function resolveVariables(pipeline: PipelineRecord, raw: unknown): ExecutionRecord["variables"] {
    if (raw !== undefined && raw !== null && !Array.isArray(raw))
      throw validation("variables must be a list");
    const given = new Map<string, string>();
    for (const v of (raw ?? []) as Array<Record<string, unknown>>) {
      const name = requireString(v?.name, "variables.member.name");
      const value = requireString(v?.value, "variables.member.value");
      if (!VARIABLE_NAME_RE.test(name))
        throw validation(`Variable name '${name}' must match [A-Za-z0-9@\\-_]+`);
      if (given.has(name)) throw validation(`Variable '${name}' is given more than once`);
      const declared = pipeline.variables.some((d) => d.name === name);
      if (!declared && name !== FAIL_VARIABLE) {
        throw validation(`Variable '${name}' is not declared in pipeline '${pipeline.name}'`);
      }
      given.set(name, value);
    }
    const resolved = pipeline.variables.map((d) => {
      const value = given.get(d.name) ?? d.defaultValue;
      if (value === undefined) {
        throw validation(
          `Variable '${d.name}' of pipeline '${pipeline.name}' has no default value and was not given`,
        );
      }
      return { name: d.name, resolvedValue: value };
    });
    const fail = given.get(FAIL_VARIABLE);
    if (fail !== undefined && !pipeline.variables.some((d) => d.name === FAIL_VARIABLE)) {
      resolved.push({ name: FAIL_VARIABLE, resolvedValue: fail });
    }
    return resolved;
  }

  function setPipelineBehaviour(name: string, behaviour: PipelineBehaviour): void {
    const clean: PipelineBehaviour = {};
    if (behaviour.durationMs !== undefined && behaviour.durationMs !== null) {
      if (typeof behaviour.durationMs !== "number" || !(behaviour.durationMs >= 0)) {
        throw validation("durationMs must be a number ≥ 0");
      }
      clean.durationMs = behaviour.durationMs;
    }
    if (behaviour.fail !== undefined && behaviour.fail !== null && behaviour.fail !== "") {
      if (typeof behaviour.fail !== "string") throw validation("fail must be a string (the failure reason)");
      clean.fail = behaviour.fail;
    }
    if (behaviour.match !== undefined && behaviour.match !== null) {
      const ok =
        typeof behaviour.match === "object" &&
        Object.values(behaviour.match).every((v) => typeof v === "string");
      if (!ok) throw validation("match must map variable names to string values");
      clean.match = behaviour.match;
    }
    const b = behaviours.get(name) ?? { all: {}, rules: new Map<string, PipelineBehaviour>() };
    if (!clean.match) b.all = clean;
    else {
      const key = JSON.stringify(Object.entries(clean.match).sort());
      // A rule that says nothing (no failure, no duration) is the suite resetting its tenants.
      if (clean.fail === undefined && clean.durationMs === undefined) b.rules.delete(key);
      else b.rules.set(key, clean);
    }
    behaviours.set(name, b);
  }

  const operations: Record<string, (input: Input) => unknown> = {
    StartPipelineExecution: startPipelineExecution,
    GetPipelineExecution: (input) => {
      const e = existingExecution(input.pipelineName, input.pipelineExecutionId);
      return {
        pipelineExecution: {
          pipelineName: e.pipelineName,
          pipelineVersion: e.pipelineVersion,
          pipelineExecutionId: e.pipelineExecutionId,
          status: e.status,
          statusSummary: e.statusSummary,
          artifactRevisions: [],
          variables: e.variables,
          trigger: e.trigger,
          executionMode: e.executionMode,
          executionType: "STANDARD",
        },
      };
    },
    ListPipelineExecutions: (input) => {
      const pipeline = existingPipeline(input.pipelineName);
      const all = [...store.executions.values()]
        .filter((e) => e.pipelineName === pipeline.name)
        .sort((a, b) => b.startTime - a.startTime);
      const { page, next: nextToken } = paginate(all, input.maxResults, input.nextToken);
      return { pipelineExecutionSummaries: page.map(summary), nextToken };
    },
    StopPipelineExecution: stopPipelineExecution,
    GetPipeline: (input) => {
      const p = existingPipeline(input.name);
      return {
        pipeline: declaration(p),
        metadata: {
          pipelineArn: pipelineArn(p.name),
          created: epochSeconds(p.created),
          updated: epochSeconds(p.updated),
        },
      };
    },
    ListPipelines: (input) => {
      const all = [...store.pipelines.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
      const { page, next: nextToken } = paginate(all, input.maxResults, input.nextToken);
      return {
        pipelines: page.map((p) => ({
          name: p.name,
          version: p.version,
          pipelineType: "V2",
          executionMode: p.executionMode,
          created: epochSeconds(p.created),
          updated: epochSeconds(p.updated),
        })),
        nextToken,
      };
    },
    CreatePipeline: async (input) => {
      const p = await upsert(pipelineInput(input), { create: true });
      return { pipeline: declaration(p) };
    },
    UpdatePipeline: async (input) => {
      const p = await upsert(pipelineInput(input), { update: true });
      return { pipeline: declaration(p) };
    },
    DeletePipeline: async (input) => {
      const name = requireString(input.name, "name");
      if (store.pipelines.delete(name)) await store.save();
      return {};
    },
    EmbarkLocalSetBehaviour: (input) => {
      const name = requireString(input.name ?? input.pipelineName, "name");
      setPipelineBehaviour(name, input as PipelineBehaviour);
      return {};
    },
  };

  return {
    signingName: "codepipeline",
    targetPrefix: "CodePipeline_20150709",
    handle: operationTable("CodePipeline", operations),
    async definePipeline(definition) {
      await upsert(definition, {});
    },
    setPipelineBehaviour,
    resume,
    async stop() {
      jobs.shutdown();
      emitter.stop();
      await store.flush();
    },
  };
}

// ------------------------------------------------------------------------------------------ validation

function pipelineInput(input: Input): PipelineDefinition {
  const p = input.pipeline;
  if (typeof p !== "object" || p === null) throw validation("pipeline is required");
  return p as PipelineDefinition;
}

function validateDeclarations(raw: unknown): VariableDeclaration[] {
  if (!Array.isArray(raw)) throw validation("variables must be a list");
  const seen = new Set<string>();
  return raw.map((v: Record<string, unknown>) => {
    const name = requireString(v?.name, "variables.member.name");
    if (!VARIABLE_NAME_RE.test(name))
      throw validation(`Variable name '${name}' must match [A-Za-z0-9@\\-_]+`);
    if (seen.has(name)) throw validation(`Variable '${name}' is declared more than once`);
    seen.add(name);
    const out: VariableDeclaration = { name };
    const defaultValue = optionalString(v.defaultValue, "variables.member.defaultValue");
    const description = optionalString(v.description, "variables.member.description");
    if (defaultValue !== undefined) out.defaultValue = defaultValue;
    if (description !== undefined) out.description = description;
    return out;
  });
}

function validateStages(raw: unknown): StageDeclaration[] {
  if (!Array.isArray(raw)) throw validation("stages must be a list");
  return raw.map((s: Record<string, unknown>) => {
    const name = requireString(s?.name, "stages.member.name");
    const actions = Array.isArray(s.actions) && s.actions.length > 0 ? s.actions : DEFAULT_STAGES[0]!.actions;
    return {
      ...s,
      name,
      actions: actions.map((a: Record<string, unknown>) => ({
        ...a,
        name: requireString(a?.name, "stages.member.actions.member.name"),
        actionTypeId: {
          category: "Build",
          owner: "AWS",
          provider: "CodeBuild",
          version: "1",
          ...(a.actionTypeId as Record<string, string> | undefined),
        },
      })),
    } as StageDeclaration;
  });
}

function sameDefinition(a: PipelineRecord, b: PipelineRecord): boolean {
  const shape = (p: PipelineRecord) =>
    JSON.stringify([p.variables, p.stages, p.executionMode, p.roleArn ?? null, p.artifactStore ?? null]);
  return shape(a) === shape(b);
}
