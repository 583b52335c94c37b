// EventBridge pattern for executions that ended unsuccessfully. The failure-recorder Lambda subscribes to it
// instead of a Catch → RecordFailure → Fail path, so that redrive can resume at the failed Task.
//
// The event's detail carries executionArn, stateMachineArn, name, status, startDate, stopDate, input, output,
// error and cause, but not the failed state's name: read it from GetExecutionHistory (from the failure event,
// e.g. LambdaFunctionFailed, TaskFailed or TaskTimedOut, follow previousEventId back to its TaskStateEntered),
// then map the name with onboardingStepForState().

export const EXECUTION_STATUS_CHANGE = "Step Functions Execution Status Change";
export const UNSUCCESSFUL_STATUSES = ["FAILED", "TIMED_OUT", "ABORTED"] as const;
export type UnsuccessfulStatus = (typeof UNSUCCESSFUL_STATUSES)[number];

export interface ExecutionFailedPattern {
  source: ["aws.states"];
  "detail-type": [typeof EXECUTION_STATUS_CHANGE];
  detail: { status: UnsuccessfulStatus[]; stateMachineArn: string[] };
}

export function executionFailedPattern(stateMachineArns: string[]): ExecutionFailedPattern {
  if (stateMachineArns.length === 0) throw new RangeError("at least one state machine ARN is needed");
  return {
    source: ["aws.states"],
    "detail-type": [EXECUTION_STATUS_CHANGE],
    detail: { status: [...UNSUCCESSFUL_STATUSES], stateMachineArn: [...stateMachineArns] },
  };
}

/** The detail of a "Step Functions Execution Status Change" event (fields Embark reads). */
export interface ExecutionStatusChangeDetail {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: "RUNNING" | "SUCCEEDED" | UnsuccessfulStatus | "PENDING_REDRIVE";
  startDate: number;
  stopDate: number | null;
  input: string | null;
  output: string | null;
  error?: string | null;
  cause?: string | null;
  redriveCount?: number;
}
