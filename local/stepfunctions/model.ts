// Records the local Step Functions keeps (and persists) for state machines and executions.

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";
export const CLOSED_UNSUCCESSFUL: readonly ExecutionStatus[] = ["FAILED", "TIMED_OUT", "ABORTED"];

export interface StateMachineRecord {
  stateMachineArn: string;
  name: string;
  /** The definition exactly as given (a JSON string), as DescribeStateMachine returns it. */
  definition: string;
  roleArn: string;
  type: "STANDARD" | "EXPRESS";
  /** Epoch milliseconds. */
  creationDate: number;
  updateDate?: number;
  revisionId: string;
}

/** One history event in AWS's shape, except `timestamp` in epoch milliseconds. */
export interface HistoryEventRecord {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [detailsKey: string]: unknown;
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  /** JSON string, as given to StartExecution. */
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate?: number;
  redriveCount: number;
  redriveDate?: number;
  roleArn: string;
  /** The state machine's definition when the execution started: redrives use it, as AWS does. */
  definition: string;
  /** The top-level state a redrive resumes from, and that state's raw input. */
  resume?: { state: string; input: unknown };
  /** Every task token issued for this execution (so late callbacks get TaskTimedOut, not InvalidToken). */
  taskTokens: string[];
  history: HistoryEventRecord[];
  /**
   * Task states in flight (by state name; not kept for Map iterations): what a restart needs to resume them.
   * Written before the Task's resource is called.
   */
  openTasks?: Record<string, OpenTask>;
  /** Status-change events not yet put on the bus (an outbox: sent, then removed). */
  pendingEvents?: PendingStatusEvent[];
}

export interface OpenTask {
  /** Epoch ms of the attempt's TaskScheduled. */
  scheduledAt: number;
  token?: string;
  /** The resource's call returned (TaskSubmitted): a restart waits for the callback without calling again. */
  submitted?: boolean;
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
  lastHeartbeatAt?: number;
}

export interface PendingStatusEvent {
  /** Epoch ms. */
  time: number;
  detail: Record<string, unknown>;
}
