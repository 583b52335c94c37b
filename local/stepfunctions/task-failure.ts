/**
 * A Task's failure as the state machine sees it. aws-local-stepfunctions matches Retry/Catch on `name` and
 * builds the Catch output `{Error: name, Cause: message}` (and the ExecutionFailed cause from `message`), so
 * the AWS error name goes in `name` and the cause in `message`. No `cause` option: the library would prefer it.
 */
export class TaskFailure extends Error {
  /** Read by the library: States.Runtime-style failures are neither retried nor caught. */
  readonly isRetryable: boolean;
  readonly isCatchable: boolean;

  constructor(
    readonly error: string,
    readonly causeText: string | undefined,
    opts: { terminal?: boolean } = {},
  ) {
    super(causeText ?? "");
    this.name = error;
    this.isRetryable = !opts.terminal;
    this.isCatchable = !opts.terminal;
  }
}
