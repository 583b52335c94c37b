// Lambda functions the local-cloud suites use as Task resources (registered by the vitest global setup).
// They run in the cloud's process, so state such as fixture-flaky's attempt counts lives there: give each
// test its own keys.
import type { FunctionDefinition, LambdaHandler } from "../../local/lambda/registry.js";

const fn = (name: string, handler: LambdaHandler, timeoutSeconds?: number): FunctionDefinition => ({
  name,
  load: async () => handler,
  timeoutSeconds,
});

class FixtureError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

const flakyAttempts = new Map<string, number>();

export const fixtureFunctions: FunctionDefinition[] = [
  /** Returns its event. */
  fn("fixture-echo", async (event) => event),
  /** Throws an error named event.errorName (default "FixtureError") with event.message. */
  fn("fixture-fail", async (event) => {
    throw new FixtureError(
      event?.errorName ?? "FixtureError",
      event?.message ?? "fixture-fail was asked to fail",
    );
  }),
  /**
   * Fails with "TransientError" for the first event.failTimes calls with a given event.key, then returns
   * {key, attempts} (attempts counts every call with that key, failed ones included).
   */
  fn("fixture-flaky", async (event) => {
    const key = String(event?.key ?? "default");
    const attempts = (flakyAttempts.get(key) ?? 0) + 1;
    flakyAttempts.set(key, attempts);
    if (attempts <= Number(event?.failTimes ?? 0)) {
      throw new FixtureError("TransientError", `fixture-flaky attempt ${attempts} for ${key} failed`);
    }
    return { key, attempts };
  }),
  /** Waits event.ms milliseconds, then returns its event. */
  fn(
    "fixture-sleep",
    async (event) => {
      await new Promise((resolve) => setTimeout(resolve, Number(event?.ms ?? 0)));
      return event;
    },
    120,
  ),
];
