/** A plain {name, message} for recording an error on the tenant (never a stack or a payload). */
export function errorInfo(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: "Error", message: String(err) };
}
