// Task tokens for `.waitForTaskToken` states. aws-local-stepfunctions has no callback pattern: the Task's local
// handler waits here until SendTaskSuccess/SendTaskFailure (or its heartbeat/timeout) settles it.
import { randomBytes } from "node:crypto";
import { AwsError } from "../aws/errors.js";
import { TaskFailure } from "./task-failure.js";

interface Waiter {
  executionArn: string;
  resolve(output: unknown): void;
  reject(failure: TaskFailure): void;
  onHeartbeat(): void;
}

export class TaskTokens {
  private readonly waiting = new Map<string, Waiter>();
  /** Tokens of tasks that are over (done, timed out, execution ended or restarted) → their execution. */
  private readonly closed = new Map<string, string>();

  /** An opaque token, about as long as AWS's. */
  mint(): string {
    return `AQ${randomBytes(192).toString("base64url")}`;
  }

  /** Registers the task behind `token`; the promise settles on SendTaskSuccess/SendTaskFailure or `fail()`. */
  wait(token: string, executionArn: string, onHeartbeat: () => void): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.waiting.set(token, { executionArn, resolve, reject, onHeartbeat });
    });
  }

  /** The task is over: later callbacks get TaskTimedOut, as AWS answers. The waiter is left unsettled. */
  close(token: string, executionArn: string): void {
    this.waiting.delete(token);
    this.closed.set(token, executionArn);
  }

  /** Settles a waiting task with a failure raised locally (heartbeat timeout), then closes it. */
  fail(token: string, failure: TaskFailure): void {
    const waiter = this.waiting.get(token);
    if (!waiter) return;
    this.close(token, waiter.executionArn);
    waiter.reject(failure);
  }

  sendSuccess(token: string, output: unknown): void {
    const waiter = this.take(token);
    waiter.resolve(output);
  }

  sendFailure(token: string, error: string | undefined, cause: string | undefined): void {
    const waiter = this.take(token);
    waiter.reject(new TaskFailure(error ?? "", cause));
  }

  sendHeartbeat(token: string): void {
    this.find(token).onHeartbeat();
  }

  private take(token: string): Waiter {
    const waiter = this.find(token);
    this.close(token, waiter.executionArn);
    return waiter;
  }

  private find(token: string): Waiter {
    const waiter = this.waiting.get(token);
    if (waiter) return waiter;
    if (this.closed.has(token)) throw new AwsError("TaskTimedOut", "Task Timed Out");
    throw new AwsError("InvalidToken", "Invalid token");
  }
}
