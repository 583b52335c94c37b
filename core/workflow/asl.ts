// A small typed subset of the Amazon States Language (JSONPath flavour only), enough for Embark's
// workflows. Definitions are plain JSON objects: JSON.stringify them for CreateStateMachine.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A Parameters / ResultSelector template: keys ending in ".$" hold JSONPath expressions. */
export type PayloadTemplate = { [key: string]: JsonValue };

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: "FULL" | "NONE";
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
}

interface CommonFields {
  Comment?: string;
  InputPath?: string | null;
  OutputPath?: string | null;
}

type Transition = { Next: string; End?: never } | { End: true; Next?: never };

export type TaskState = CommonFields &
  Transition & {
    Type: "Task";
    Resource: string;
    Parameters?: PayloadTemplate;
    ResultSelector?: PayloadTemplate;
    ResultPath?: string | null;
    Retry?: Retrier[];
    Catch?: Catcher[];
    TimeoutSeconds?: number;
    HeartbeatSeconds?: number;
  };

export type ParallelState = CommonFields &
  Transition & {
    Type: "Parallel";
    Branches: Branch[];
    Parameters?: PayloadTemplate;
    ResultSelector?: PayloadTemplate;
    ResultPath?: string | null;
    Retry?: Retrier[];
    Catch?: Catcher[];
  };

export type PassState = CommonFields &
  Transition & {
    Type: "Pass";
    Parameters?: PayloadTemplate;
    Result?: JsonValue;
    ResultPath?: string | null;
  };

/** Choice rule expression (the operators we use; add more as workflows need them). */
export type ChoiceExpression =
  | {
      Variable: string;
      BooleanEquals?: boolean;
      StringEquals?: string;
      NumericEquals?: number;
      IsPresent?: boolean;
      IsNull?: boolean;
    }
  | { And: ChoiceExpression[] }
  | { Or: ChoiceExpression[] }
  | { Not: ChoiceExpression };

export type ChoiceRule = ChoiceExpression & { Next: string };

export type ChoiceState = CommonFields & { Type: "Choice"; Choices: ChoiceRule[]; Default?: string };

/** A Choice on one boolean of the state: `next` when it is true, `otherwise` when not. */
export function whenTrue(variable: string, next: string, otherwise: string): ChoiceState {
  return {
    Type: "Choice",
    Choices: [{ Variable: variable, BooleanEquals: true, Next: next }],
    Default: otherwise,
  };
}

export type SucceedState = CommonFields & { Type: "Succeed" };

/** Waits a fixed time or until a timestamp (RFC 3339); one of the four fields. */
export type WaitState = CommonFields &
  Transition & {
    Type: "Wait";
    Seconds?: number;
    Timestamp?: string;
    SecondsPath?: string;
    TimestampPath?: string;
  };

export type FailState = { Type: "Fail"; Comment?: string; Error?: string; Cause?: string };

export type State =
  | TaskState
  | ParallelState
  | PassState
  | ChoiceState
  | WaitState
  | SucceedState
  | FailState;

/** A Parallel branch: a nested StartAt/States pair. */
export interface Branch {
  Comment?: string;
  StartAt: string;
  States: Record<string, State>;
}

export interface StateMachineDefinition extends Branch {
  /** Always JSONPath for Embark (never JSONata). */
  QueryLanguage?: "JSONPath";
  TimeoutSeconds?: number;
}

export interface StateVisit {
  name: string;
  state: State;
  /** The Parallel states enclosing this one, outermost first ([] at top level). */
  parents: string[];
}

/** Every state of a definition, including those inside Parallel branches, depth first. */
export function walkStates(definition: Branch, parents: string[] = []): StateVisit[] {
  const visits: StateVisit[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    visits.push({ name, state, parents });
    if (state.Type === "Parallel") {
      for (const branch of state.Branches) visits.push(...walkStates(branch, [...parents, name]));
    }
  }
  return visits;
}

/** A Standard workflow's definition in Embark's flavour: JSONPath, described by its comment. */
export function jsonPathMachine(
  comment: string,
  startAt: string,
  states: Record<string, State>,
): StateMachineDefinition {
  return { Comment: comment, QueryLanguage: "JSONPath", StartAt: startAt, States: states };
}
