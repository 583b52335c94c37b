// Request checks and paging shared by the Step Functions operations, with AWS's error shapes.
import { AwsError } from "../aws/errors.js";

const MAX_PAGE = 1000;
const DEFAULT_PAGE = 100;

export function validation(member: string, constraint: string): AwsError {
  return new AwsError(
    "ValidationException",
    `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

export function required(input: Record<string, unknown>, member: string): string {
  const value = input[member];
  if (value === undefined || value === null) {
    throw new AwsError(
      "ValidationException",
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  }
  if (typeof value !== "string") throw validation(member, "Member must be a string");
  return value;
}

export function optionalString(input: Record<string, unknown>, member: string): string | undefined {
  return input[member] === undefined || input[member] === null ? undefined : required(input, member);
}

/** maxResults/nextToken paging: the token names the last item returned (stable while items are added). */
export function page<T>(
  items: T[],
  input: Record<string, unknown>,
  keyOf: (item: T) => string,
  isAfter: (item: T, afterKey: string) => boolean,
): { items: T[]; nextToken?: string } {
  const max =
    input.maxResults === undefined || input.maxResults === 0 ? DEFAULT_PAGE : Number(input.maxResults);
  if (!Number.isInteger(max) || max < 0 || max > MAX_PAGE) {
    throw validation("maxResults", `Member must have value less than or equal to ${MAX_PAGE}`);
  }
  let rest = items;
  if (input.nextToken !== undefined && input.nextToken !== null) {
    let after: unknown;
    try {
      after = JSON.parse(Buffer.from(String(input.nextToken), "base64url").toString("utf8")).after;
    } catch {
      after = undefined;
    }
    if (typeof after !== "string")
      throw new AwsError("InvalidToken", `Invalid Token: '${String(input.nextToken)}'`);
    rest = items.filter((item) => isAfter(item, after as string));
  }
  const pageItems = rest.slice(0, max);
  const last = pageItems.at(-1);
  const nextToken =
    rest.length > max && last !== undefined
      ? Buffer.from(JSON.stringify({ after: keyOf(last) })).toString("base64url")
      : undefined;
  return { items: pageItems, nextToken };
}
