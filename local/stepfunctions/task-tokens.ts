// Task tokens for `.waitForTaskToken` states. aws-local-stepfunctions has no callback pattern: the Task's local
// handler waits here until SendTaskSuccess/SendTaskFailure (or its heartbeat/timeout) settles it.
//
// Only waiting tokens are kept in memory. A token starts with its execution's file id (store.ts), so a callback
// for a task that is over (done, timed out, execution ended or restarted) is told apart from a token never
// issued by reading that execution's taskTokens (`issued`), rather than by a map that grows with every task.
import { randomBytes } from "node:crypto";
import { AwsError } from "../aws/errors.js";
import { TaskFailure } from "./task-failure.js";

interface Waiter {
  executionArn: string;
  resolve(output: unknown): void;
  reject(failure: TaskFailure): void;
  onHeartbeat(): void;
}

const FILE_ID_BYTES = 20;

export class TaskTokens {
  private readonly waiting = new Map<string, Waiter>();

  /**
   * `issued(token, fileId)`: whether the execution in that file (fileId undefined: not a token of this shape)
   * issued the token.
   */
  constructor(private readonly issued: (token: string, fileId: string | undefined) => Promise<boolean>) {}

  /** An opaque token, about as long as AWS's, that names the execution's file (`fileId`, SHA-1 hex). */
  mint(fileId: string): string {
    return `AQ${Buffer.concat([Buffer.from(fileId, "hex"), randomBytes(192 - FILE_ID_BYTES)]).toString("base64url")}`;
  }

  /** Registers the task behind `token`; the promise settles on SendTaskSuccess/SendTaskFailure or `fail()`. */
  wait(token: string, executionArn: string, onHeartbeat: () => void): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.waiting.set(token, { executionArn, resolve, reject, onHeartbeat });
    });
  }

  /** The task is over: later callbacks get TaskTimedOut, as AWS answers. The waiter is left unsettled. */
  close(token: string): void {
    this.waiting.delete(token);
  }

  /** Settles a waiting task with a failure raised locally (heartbeat timeout), then closes it. */
  fail(token: string, failure: TaskFailure): void {
    const waiter = this.waiting.get(token);
    if (!waiter) return;
    this.close(token);
    waiter.reject(failure);
  }

  async sendSuccess(token: string, output: unknown): Promise<void> {
    this.take(token, await this.find(token)).resolve(output);
  }

  async sendFailure(token: string, error: string | undefined, cause: string | undefined): Promise<void> {
    this.take(token, await this.find(token)).reject(new TaskFailure(error ?? "", cause));
  }

  async sendHeartbeat(token: string): Promise<void> {
    (await this.find(token)).onHeartbeat();
  }

  private take(token: string, waiter: Waiter): Waiter {
    this.close(token);
    return waiter;
  }

  /** The waiting task, or AWS's error: TaskTimedOut for a token issued for a task that is over. */
  private async find(token: string): Promise<Waiter> {
    const waiter = this.waiting.get(token);
    if (waiter) return waiter;
    if (await this.issued(token, fileIdOf(token))) throw new AwsError("TaskTimedOut", "Task Timed Out");
    throw new AwsError("InvalidToken", "Invalid token");
  }
}

function fileIdOf(token: string): string | undefined {
  if (!token.startsWith("AQ")) return undefined;
  const bytes = Buffer.from(token.slice(2), "base64url");
  return bytes.length > FILE_ID_BYTES ? bytes.subarray(0, FILE_ID_BYTES).toString("hex") : undefined;
}
