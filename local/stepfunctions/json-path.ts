// A tiny JSONPath reader for the few places this service reads state data itself (TimeoutSecondsPath,
// HeartbeatSecondsPath, a Map's ItemsPath): `$`, `$.a.b`, `$.a[0]`, `$['a']`. Anything else → undefined,
// and the caller falls back to the library's own evaluation.

export function readPath(path: string, data: unknown): unknown {
  if (!path.startsWith("$") || path.startsWith("$$")) return undefined;
  const segments: Array<string | number> = [];
  const re = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) return undefined;
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] !== undefined) segments.push(Number(m[2]));
    else segments.push(m[3] ?? m[4] ?? "");
  }
  let value: unknown = data;
  for (const segment of segments) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}
