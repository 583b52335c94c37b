/** Answers a Step Functions task that waits with .waitForTaskToken. */
import {
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from "@aws-sdk/client-sfn";
import type { TaskCallbacks } from "../ports.js";

export class StepFunctionsTaskCallbacks implements TaskCallbacks {
  constructor(private readonly client = new SFNClient({})) {}

  /** Returns false when the task is no longer waiting (already answered, timed out or its execution ended). */
  async succeed(taskToken: string, output: unknown): Promise<boolean> {
    return this.answered(() =>
      this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })),
    );
  }

  async fail(taskToken: string, error: string, cause: string): Promise<boolean> {
    return this.answered(() =>
      this.client.send(
        new SendTaskFailureCommand({ taskToken, error: error.slice(0, 256), cause: cause.slice(0, 32_000) }),
      ),
    );
  }

  /** Keeps a task with HeartbeatSeconds alive while its pipeline runs. */
  async heartbeat(taskToken: string): Promise<boolean> {
    return this.answered(() => this.client.send(new SendTaskHeartbeatCommand({ taskToken })));
  }

  private async answered(send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (err) {
      if (err instanceof TaskTimedOut || err instanceof TaskDoesNotExist || err instanceof InvalidToken)
        return false;
      throw err;
    }
  }
}
