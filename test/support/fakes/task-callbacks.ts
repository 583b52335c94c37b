/**
 * In-memory TaskCallbacks (core/ports.ts) for unit tests: the answers given to tasks waiting with
 * .waitForTaskToken, copying Step Functions as core/adapters/task-callbacks.ts sees it: a task is answered once
 * (a second success or failure, or a heartbeat after the answer, returns false: TaskTimedOut), outputs go
 * through JSON as SendTaskSuccess sends them, and a test can make a task time out (`expire`). Does not copy:
 * error/cause length limits, tokens no execution issued (every token is taken as waiting until answered).
 *
 * Points (see recording.ts): every method's name.
 */
import type { TaskCallbacks } from "../../../core/ports.js";
import { Recording } from "./recording.js";

export type Answer =
  | { taskToken: string; outcome: "success"; output: unknown }
  | { taskToken: string; outcome: "failure"; error: string; cause: string };

export class FakeTaskCallbacks extends Recording<keyof TaskCallbacks> implements TaskCallbacks {
  /** Answers that reached a waiting task, in order. */
  readonly answers: Answer[] = [];
  /** Heartbeats that reached a waiting task. */
  readonly heartbeats: string[] = [];
  private readonly closed = new Set<string>();

  async succeed(taskToken: string, output: unknown): Promise<boolean> {
    await this.record("succeed", [taskToken, output]);
    return this.answer({ taskToken, outcome: "success", output: JSON.parse(JSON.stringify(output)) });
  }

  async fail(taskToken: string, error: string, cause: string): Promise<boolean> {
    await this.record("fail", [taskToken, error, cause]);
    return this.answer({ taskToken, outcome: "failure", error, cause });
  }

  async heartbeat(taskToken: string): Promise<boolean> {
    await this.record("heartbeat", [taskToken]);
    if (this.closed.has(taskToken)) return false;
    this.heartbeats.push(taskToken);
    return true;
  }

  /** The answer the task got, if any. */
  answerOf(taskToken: string): Answer | undefined {
    return this.answers.find((a) => a.taskToken === taskToken);
  }

  /** The task times out: nothing can answer it any more. */
  expire(taskToken: string): void {
    this.closed.add(taskToken);
  }

  private answer(answer: Answer): boolean {
    if (this.closed.has(answer.taskToken)) return false;
    this.closed.add(answer.taskToken);
    this.answers.push(answer);
    return true;
  }
}
