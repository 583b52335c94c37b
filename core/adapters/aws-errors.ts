/** True when an AWS SDK v3 error (or anything with a `name`) is one of the given exception names. */
export function isAwsError(err: unknown, ...names: string[]): boolean {
  return (
    typeof err === "object" && err !== null && names.includes((err as { name?: unknown }).name as string)
  );
}
