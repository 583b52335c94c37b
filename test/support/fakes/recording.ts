/**
 * What every fake in this folder shares: it records its calls (method and arguments, in order) so a test can
 * assert on them, and it lets a test act at a named point of a call: throw there ("fail on the Nth call"), or
 * run something there (another workflow changing the tenant meanwhile).
 *
 * A point named after a method is reached when the method is called, before it does anything. Other points are
 * reached after a side effect (each fake's header lists its own), so a failure there models a crash after the
 * side effect: e.g. the fake identity's `poolRecorded` fires after the pool was created and `onPoolCreated`
 * recorded it, before the rest of the identity exists.
 */

export interface Call {
  method: string;
  args: unknown[];
}

type Action = () => void | Promise<void>;

/** The default error a failOn() throws: not retryable (runStep records the step as failed). */
export class InjectedFault extends Error {
  override name = "InjectedFault";
  constructor(readonly point: string) {
    super(`Injected fault at ${point}`);
  }
}

/**
 * An error shaped like an AWS SDK v3 service exception (name, $fault, $metadata, $retryable), which is what
 * core/workflow/retry.ts's toStepError and core/adapters/aws-errors.ts's isAwsError look at.
 */
export function sdkError(
  name: string,
  opts: { message?: string; status?: number; retryable?: boolean } = {},
): Error {
  const status = opts.status ?? 400;
  return Object.assign(new Error(opts.message ?? name), {
    name,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status },
    ...(opts.retryable ? { $retryable: { throttling: status === 429 } } : {}),
  });
}

export class Recording<Point extends string> {
  /** Every call of a port method, in order, with its arguments as given. */
  readonly calls: Call[] = [];
  private readonly reached = new Map<string, number>();
  private hooks: Array<{ point: Point; call: number; action: Action }> = [];

  /** The arguments of each call of `method`, in order. */
  callsTo(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  /** How often `method` was called. */
  count(method: string): number {
    return this.callsTo(method).length;
  }

  /**
   * Throws `error` (default InjectedFault) the `call`-th time the fake reaches `point`, counted from the fake's
   * creation (1-based; default: the next time).
   */
  failOn(point: Point, opts: { call?: number; error?: unknown } = {}): this {
    const error = opts.error ?? new InjectedFault(point);
    return this.on(
      point,
      () => {
        throw error;
      },
      opts,
    );
  }

  /** Runs `action` the `call`-th time the fake reaches `point` (default: the next time); it may throw. */
  on(point: Point, action: Action, opts: { call?: number } = {}): this {
    const call = opts.call ?? (this.reached.get(point) ?? 0) + 1;
    this.hooks.push({ point, call, action });
    return this;
  }

  /** Records a port call, then reaches the point of the method's name. */
  protected async record(method: Point, args: unknown[]): Promise<void> {
    this.calls.push({ method, args });
    await this.reach(method);
  }

  /** Counts a visit of `point` and runs what a test set up for this visit. */
  protected async reach(point: Point): Promise<void> {
    const n = (this.reached.get(point) ?? 0) + 1;
    this.reached.set(point, n);
    const due = this.hooks.filter((h) => h.point === point && h.call === n);
    this.hooks = this.hooks.filter((h) => !due.includes(h));
    for (const hook of due) await hook.action();
  }
}
