/** Starts and inspects tenant deployment pipeline runs (CodePipeline V2, pipeline variables). */
import {
  CodePipelineClient,
  GetPipelineExecutionCommand,
  type GetPipelineExecutionCommandOutput,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
} from "@aws-sdk/client-codepipeline";
import type { PipelineControl, PipelineRunner, PipelineRunStatus } from "../ports.js";
import { isAwsError } from "./aws-errors.js";

export class CodePipelineRunner implements PipelineRunner, PipelineControl {
  constructor(
    readonly pipelineName: string,
    private readonly client = new CodePipelineClient({}),
  ) {}

  /** Starts a run; the same clientRequestToken returns the same run (a retried start is not a second deploy). */
  async start(input: { variables: Record<string, string>; clientRequestToken: string }): Promise<string> {
    const out = await this.client.send(
      new StartPipelineExecutionCommand({
        name: this.pipelineName,
        clientRequestToken: input.clientRequestToken,
        variables: Object.entries(input.variables).map(([name, value]) => ({ name, value })),
      }),
    );
    if (!out.pipelineExecutionId) throw new Error("CodePipeline returned no pipelineExecutionId");
    return out.pipelineExecutionId;
  }

  /** A run's resolved variables (TENANT_ID names the tenant it deploys). */
  async variables(executionId: string): Promise<Record<string, string>> {
    let out: GetPipelineExecutionCommandOutput;
    try {
      out = await this.client.send(
        new GetPipelineExecutionCommand({
          pipelineName: this.pipelineName,
          pipelineExecutionId: executionId,
        }),
      );
    } catch (err) {
      // A run this pipeline does not know (an event replayed or forged): it names no tenant.
      if (isAwsError(err, "PipelineExecutionNotFoundException")) return {};
      throw err;
    }
    return Object.fromEntries(
      (out.pipelineExecution?.variables ?? []).flatMap((v) =>
        v.name && v.resolvedValue !== undefined ? [[v.name, v.resolvedValue]] : [],
      ),
    );
  }

  async status(executionId: string): Promise<{ status: PipelineRunStatus; summary?: string }> {
    const out = await this.client.send(
      new GetPipelineExecutionCommand({ pipelineName: this.pipelineName, pipelineExecutionId: executionId }),
    );
    return {
      status: (out.pipelineExecution?.status ?? "InProgress") as PipelineRunStatus,
      summary: out.pipelineExecution?.statusSummary,
    };
  }

  /** Stops a run, abandoning its actions; a run that is no longer in progress is left as it is. */
  async stop(executionId: string, reason: string): Promise<void> {
    try {
      await this.client.send(
        new StopPipelineExecutionCommand({
          pipelineName: this.pipelineName,
          pipelineExecutionId: executionId,
          abandon: true,
          reason: reason.slice(0, 200),
        }),
      );
    } catch (err) {
      const name = err instanceof Error ? err.name : "";
      if (name !== "PipelineExecutionNotStoppableException" && name !== "DuplicatedStopRequestException")
        throw err;
    }
  }
}
