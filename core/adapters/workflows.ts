/** Starts and inspects state machine executions. */
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import type { WorkflowRunner } from "../ports.js";

export class StepFunctionsWorkflows implements WorkflowRunner {
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
      const executionArn = `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
      const existing = await this.client.send(new DescribeExecutionCommand({ executionArn }));
      if (existing.input !== undefined && sameJson(existing.input, json)) return executionArn;
      throw err;
    }
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
