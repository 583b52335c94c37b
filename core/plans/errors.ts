/** The plan catalog's errors. */

export class UnknownPlanError extends Error {
  override name = "UnknownPlanError";
  constructor(
    readonly planId: string,
    readonly known: string[],
  ) {
    super(`Unknown plan "${planId}"; choose one of: ${known.join(", ")}`);
  }
}

/** A value that is not a valid plan (a database item, a JSON file, an operator's edit). */
export class InvalidPlanError extends Error {
  override name = "InvalidPlanError";
}

/** An operator's plan edit that names an unknown field or gives an invalid value. */
export class PlanFieldError extends Error {
  override name = "PlanFieldError";
}
