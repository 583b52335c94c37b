/** The tenant domain's errors (statuses as plain strings, so status.ts can use these without a cycle). */

/** The slug is held by another tenant (a signup answers 409). */
export class SlugTakenError extends Error {
  override name = "SlugTakenError";
  constructor(readonly slug: string) {
    super(`Slug "${slug}" is already taken`);
  }
}

export class TenantNotFoundError extends Error {
  override name = "TenantNotFoundError";
  constructor(readonly tenantId: string) {
    super(`Tenant ${tenantId} does not exist`);
  }
}

/** A status change the lifecycle does not allow (design §2). */
export class IllegalTransitionError extends Error {
  override name = "IllegalTransitionError";
  constructor(
    readonly from: string,
    readonly to: string,
    allowed: readonly string[],
  ) {
    super(
      `A tenant cannot move from ${from} to ${to} (from ${from} it may move to: ${allowed.join(", ") || "nothing"})`,
    );
  }
}

/** A tenant record that does not satisfy the model. */
export class InvalidTenantError extends Error {
  override name = "InvalidTenantError";
}

/** The workspace cannot be signed in to yet (being set up, or its setup failed). */
export class TenantNotReadyError extends Error {
  override name = "TenantNotReadyError";
}

/** The workspace is suspended (billing): its users cannot sign in until it is reactivated. */
export class TenantSuspendedError extends Error {
  override name = "TenantSuspendedError";
}

/** The workspace was offboarded (or is being offboarded): nobody signs in to it again. */
export class TenantClosedError extends Error {
  override name = "TenantClosedError";
}
