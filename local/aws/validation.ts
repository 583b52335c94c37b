import { AwsError } from "./errors.js";

/** Input checks our JSON-protocol services share, with AWS's ValidationException wording. */
export function validation(message: string): AwsError {
  return new AwsError("ValidationException", message);
}

export function requireString(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "") {
    throw validation(
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

export function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw validation(`Value at '${field}' must be a string.`);
  return value;
}

/** A list of 1 to `max` members, or AWS's ValidationException naming the field. */
export function listOf(value: unknown, field: string, max: number): unknown[] {
  if (!Array.isArray(value) || value.length < 1 || value.length > max) {
    throw validation(
      `Value at '${field}' failed to satisfy constraint: Member must have length between 1 and ${max}`,
    );
  }
  return value;
}
