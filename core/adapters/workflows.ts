/** Starts and inspects state machine executions. */
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import type { ExecutionFacts, ExecutionInspector, ExecutionStatus, WorkflowRunner } from "../ports.js";

export const executionArnOf = (stateMachineArn: string, name: string) =>
  `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;

export class StepFunctionsWorkflows implements WorkflowRunner, ExecutionInspector {
  constructor(private readonly client = new SFNClient({})) {}

  /**
   * Starts an execution by name; a duplicate start is a no-op that returns the existing ARN. Step Functions
   * answers a running duplicate (same name and input) with the original execution, but a finished one with
   * ExecutionAlreadyExists: that too is "already started" when the input is the same.
   */
  async start(stateMachineArn: string, name: string, input: unknown): Promise<string> {
    const json = JSON.stringify(input);
    try {
      const out = await this.client.send(new StartExecutionCommand({ stateMachineArn, name, input: json }));
      if (!out.executionArn) throw new Error("Step Functions returned no executionArn");
      return out.executionArn;
    } catch (err) {
      if (!(err instanceof Error) || err.name !== "ExecutionAlreadyExists") throw err;
      const executionArn = executionArnOf(stateMachineArn, name);
      const existing = await this.client.send(new DescribeExecutionCommand({ executionArn }));
      if (existing.input !== undefined && sameJson(existing.input, json)) return executionArn;
      throw err;
    }
  }

  async describe(stateMachineArn: string, name: string): Promise<ExecutionFacts | undefined> {
    const executionArn = executionArnOf(stateMachineArn, name);
    try {
      const out = await this.client.send(new DescribeExecutionCommand({ executionArn }));
      return {
        executionArn,
        status: (out.status ?? "RUNNING") as ExecutionStatus,
        startDate: out.startDate,
        stopDate: out.stopDate,
        error: out.error,
        cause: out.cause,
        redriveCount: out.redriveCount ?? 0,
      };
    } catch (err) {
      if (err instanceof Error && err.name === "ExecutionDoesNotExist") return undefined;
      throw err;
    }
  }

  async redrive(executionArn: string): Promise<void> {
    await this.client.send(new RedriveExecutionCommand({ executionArn }));
  }

  async history(executionArn: string): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new GetExecutionHistoryCommand({
          executionArn,
          nextToken,
          maxResults: 1000,
          includeExecutionData: false,
        }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return events;
  }
}

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return a === b;
  }
}
