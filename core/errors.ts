/** A plain {name, message} for recording an error on the tenant (never a stack or a payload). */
export function errorInfo(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: "Error", message: String(err) };
}

/** A value quoted for an error message: JSON-escaped (control characters visible) and cut to `max` characters. */
export function quoteInput(value: string, max = 60): string {
  const chars = [...value];
  return JSON.stringify(chars.length > max ? `${chars.slice(0, max).join("")}…` : value);
}
