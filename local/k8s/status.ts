/** `kind: Status` failures shaped like the apiserver's (same reasons, codes, messages and details). */
import { qualifiedResource, type ResourceType } from "./resources.js";

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** details.kind is the plural resource name here, as in the apiserver ("fishy, but" its words). */
const details = (rt: ResourceType, name: string, extra: Partial<StatusDetails> = {}): StatusDetails => ({
  name,
  ...(rt.group ? { group: rt.group } : {}),
  kind: rt.plural,
  ...extra,
});

export const notFound = (rt: ResourceType, name: string): ApiError =>
  new ApiError(404, "NotFound", `${qualifiedResource(rt)} "${name}" not found`, details(rt, name));

export const alreadyExists = (rt: ResourceType, name: string): ApiError =>
  new ApiError(409, "AlreadyExists", `${qualifiedResource(rt)} "${name}" already exists`, details(rt, name));

export const conflict = (rt: ResourceType, name: string, why: string): ApiError =>
  new ApiError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedResource(rt)} "${name}": ${why}`,
    details(rt, name),
  );

export const staleObject = (rt: ResourceType, name: string): ApiError =>
  conflict(
    rt,
    name,
    "the object has been modified; please apply your changes to the latest version and try again",
  );

export const forbidden = (rt: ResourceType, name: string, why: string, causes?: StatusCause[]): ApiError =>
  new ApiError(
    403,
    "Forbidden",
    `${qualifiedResource(rt)} "${name}" is forbidden: ${why}`,
    details(rt, name, causes ? { causes } : {}),
  );

/** 422 with field causes; here details.kind is the Kind and the message names `Kind.group`. */
export const invalid = (rt: ResourceType, name: string, causes: StatusCause[]): ApiError => {
  const what = causes.map((c) => `${c.field}: ${c.message}`);
  const list = what.length === 1 ? what[0] : `[${what.join(", ")}]`;
  const kind = rt.group ? `${rt.kind}.${rt.group}` : rt.kind;
  return new ApiError(422, "Invalid", `${kind} "${name}" is invalid: ${list}`, {
    name,
    ...(rt.group ? { group: rt.group } : {}),
    kind: rt.kind,
    causes,
  });
};

export const badRequest = (message: string): ApiError => new ApiError(400, "BadRequest", message);

export const pathNotFound = (): ApiError =>
  new ApiError(404, "NotFound", "the server could not find the requested resource", {});

export const methodNotAllowed = (): ApiError =>
  new ApiError(
    405,
    "MethodNotAllowed",
    "the server does not allow this method on the requested resource",
    {},
  );

export const unsupportedMediaType = (contentType: string, accepted: string[]): ApiError =>
  new ApiError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format (${contentType}) - accepted media types include: ${accepted.join(", ")}`,
    {},
  );
