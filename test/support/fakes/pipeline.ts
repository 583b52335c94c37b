/**
 * An in-memory PipelineRunner (core/ports.ts) for unit tests: the runs of the tenant pipeline, copying what
 * CodePipeline does for core/adapters/pipeline.ts: a start with a clientRequestToken already used returns that
 * token's run (no second run), a run keeps the variables it was started with, and asking for an unknown run
 * raises PipelineExecutionNotFoundException. A run stays InProgress until the test ends it (`finish`), or ends
 * at once with `runsEndAs` (a run faster than the step that started it). Does not copy: stages, the token's
 * expiry, a token reused with other variables.
 *
 * Points (see recording.ts): every method's name, and
 *   started   after start made a new run, before it returns its id (the response lost: a crash after it).
 */
import { randomUUID } from "node:crypto";
import type { PipelineRunner, PipelineRunStatus } from "../../../core/ports.js";
import { Recording, sdkError } from "./recording.js";

export interface FakeRun {
  id: string;
  clientRequestToken: string;
  variables: Record<string, string>;
  status: PipelineRunStatus;
  summary?: string;
}

export class FakePipeline extends Recording<keyof PipelineRunner | "started"> implements PipelineRunner {
  readonly runs = new Map<string, FakeRun>();
  /** The status a new run has at once (undefined: InProgress). */
  runsEndAs: PipelineRunStatus | undefined;

  constructor(readonly pipelineName = "embark-tenant-pipeline") {
    super();
  }

  async start(input: { variables: Record<string, string>; clientRequestToken: string }): Promise<string> {
    await this.record("start", [input]);
    const same = [...this.runs.values()].find((r) => r.clientRequestToken === input.clientRequestToken);
    if (same) return same.id;
    const run: FakeRun = {
      id: randomUUID(),
      clientRequestToken: input.clientRequestToken,
      variables: { ...input.variables },
      status: this.runsEndAs ?? "InProgress",
    };
    this.runs.set(run.id, run);
    await this.reach("started");
    return run.id;
  }

  async variables(executionId: string): Promise<Record<string, string>> {
    await this.record("variables", [executionId]);
    return { ...this.run(executionId).variables };
  }

  async status(executionId: string): Promise<{ status: PipelineRunStatus; summary?: string }> {
    await this.record("status", [executionId]);
    const { status, summary } = this.run(executionId);
    return summary === undefined ? { status } : { status, summary };
  }

  /** Ends a run (what CodePipeline's deploy job does). */
  finish(executionId: string, status: PipelineRunStatus, summary?: string): void {
    Object.assign(this.run(executionId), { status, summary });
  }

  private run(executionId: string): FakeRun {
    const run = this.runs.get(executionId);
    if (!run) {
      throw sdkError("PipelineExecutionNotFoundException", {
        message: `Pipeline execution ${executionId} not found`,
      });
    }
    return run;
  }
}
