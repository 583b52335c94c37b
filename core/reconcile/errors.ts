/** The reconciler's errors. */

/** The reconcile function's event (or the CLI's options) are not a valid request. */
export class InvalidReconcileRequestError extends Error {
  override name = "InvalidReconcileRequestError";
}
