/** The mail domain's errors. */

/** A template with an unknown or malformed placeholder. */
export class TemplateError extends Error {
  override name = "TemplateError";
}
