/** Helpers our JSON-protocol services share. */

/** JSON-protocol timestamps are epoch seconds (fractions allowed). */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}

/** Opaque offset tokens, pages of at most 100 (AWS list APIs' usual cap). */
export function paginate<T>(items: T[], max: unknown, token: unknown): { page: T[]; next?: string } {
  const start =
    typeof token === "string" && token ? Number(Buffer.from(token, "base64url").toString()) || 0 : 0;
  const size = typeof max === "number" && max > 0 ? Math.min(max, 100) : 100;
  const page = items.slice(start, start + size);
  const next =
    start + size < items.length ? Buffer.from(String(start + size)).toString("base64url") : undefined;
  return { page, next };
}
