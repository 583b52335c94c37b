/** Starts and inspects state machine executions. */
import {
  type HistoryEvent,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";

export class Workflows {
  constructor(private readonly client = new SFNClient({})) {}

  /**
   * Starts an execution by name. The same name with the same input is the same execution on Step Functions,
   * so a duplicate start is a no-op that returns the existing ARN.
   */
  async start(stateMachineArn: string, name: string, input: unknown): Promise<string> {
    const out = await this.client.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
    );
    if (!out.executionArn) throw new Error("Step Functions returned no executionArn");
    return out.executionArn;
  }

  async history(executionArn: string): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000, includeExecutionData: false }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return events;
  }
}
