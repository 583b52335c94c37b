/**
 * Embark's state machine definitions run in memory with aws-local-stepfunctions: every Task state is answered by
 * a handler of the test's own, by state name, and the run records what happened. For unit tests of the
 * workflows' data flow and branching; the local cloud's Step Functions runs them for real in the cloud suites.
 */
import {
  ExecutionError,
  type StateMachineDefinition as LocalDefinition,
  type RunOptions,
  StateMachine,
  type StateMachineOptions,
} from "aws-local-stepfunctions";
import type { JsonValue, StateMachineDefinition } from "../../core/workflow/asl.js";
import type { WorkflowRefs } from "../../core/workflow/task.js";

/** The ARN the definitions get for an Embark function, as `functionArn` of the test refs makes it. */
export const embarkFunctionArn = (name: string) =>
  `arn:aws:lambda:us-east-1:000000000000:function:embark-${name}`;
export const EMAILS_QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/000000000000/embark-emails";
/** What the definitions are built with in unit tests: functions by their embark- name, one emails queue. */
export const TEST_REFS: WorkflowRefs = { functionArn: embarkFunctionArn, queueUrl: () => EMAILS_QUEUE_URL };

export type TaskHandler = (input: JsonValue) => JsonValue | undefined;

export interface StateMachineRun {
  output?: JsonValue;
  /** Why the execution failed, if it did. */
  error?: ExecutionError;
  /** Every state entered, in order. */
  entered: string[];
  /** The Task states run, in order, one entry per attempt. */
  tasks: string[];
  /** What each Task state was given (its Lambda or SQS request), per attempt, by state name. */
  calls: Record<string, JsonValue[]>;
}

export interface RunStateMachineOptions {
  /** Retry intervals by state name, in milliseconds (0: retry at once). */
  retryIntervals?: Record<string, number>;
  /** Wait state durations by state name, in milliseconds. */
  waitTimes?: Record<string, number>;
  /** The context object ($$): the library has no task tokens or execution names of its own. */
  context?: RunOptions["context"];
  validation?: StateMachineOptions["validationOptions"];
}

export async function runStateMachine(
  definition: StateMachineDefinition,
  input: Record<string, unknown>,
  handlers: Record<string, TaskHandler>,
  options: RunStateMachineOptions = {},
): Promise<StateMachineRun> {
  // The library validates in its constructor and, like asl-validator, mutates what it is given.
  const machine = new StateMachine(structuredClone(definition) as unknown as LocalDefinition, {
    validationOptions: options.validation,
  });
  const run: StateMachineRun = { entered: [], tasks: [], calls: {} };
  const recorded = Object.fromEntries(
    Object.entries(handlers).map(([name, handler]) => [
      name,
      async (taskInput: JsonValue) => {
        run.tasks.push(name);
        run.calls[name] ??= [];
        run.calls[name].push(structuredClone(taskInput));
        return handler(taskInput);
      },
    ]),
  );
  type LocalHandlers = NonNullable<RunOptions["overrides"]>["taskResourceLocalHandlers"];
  const execution = machine.run(input as Parameters<StateMachine["run"]>[0], {
    overrides: {
      taskResourceLocalHandlers: recorded as LocalHandlers,
      retryIntervalOverrides: options.retryIntervals,
      waitTimeOverrides: options.waitTimes,
    },
    context: options.context,
  });
  try {
    run.output = (await execution.result) as JsonValue;
  } catch (error) {
    if (!(error instanceof ExecutionError)) throw error;
    run.error = error;
  }
  for await (const event of execution.eventLogs) {
    if (event.type === "StateEntered") run.entered.push(event.state.name);
  }
  return run;
}
