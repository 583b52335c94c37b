/** Exit codes of the ops CLI (contract: scripts depend on them). */
export const EXIT = {
  ok: 0,
  /** Anything unexpected: an AWS error we do not handle, a bug, an unreachable endpoint. */
  unexpected: 1,
  /** The command line is wrong, or the request is not valid for that resource (e.g. redrive a success). */
  usage: 2,
  /** The tenant, execution, plan or queue named does not exist. */
  notFound: 3,
} as const;

/** Bad command line or a request that cannot apply; exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose usage line to print after the message. */
    readonly command?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** An unknown tenant, execution, plan or queue; exit 3. */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotFoundError";
  }
}
