/** Telling AWS SDK errors apart by name, the way the SDK v3 reports a service's error code. */

/** The name of an AWS SDK error (its `name`), if it is one. */
export function awsErrorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

/** SQS's answer for a queue that does not exist (or was deleted), in its JSON and query spellings. */
export function isQueueMissing(err: unknown): boolean {
  const name = awsErrorName(err);
  return name === "QueueDoesNotExist" || name === "AWS.SimpleQueueService.NonExistentQueue";
}
