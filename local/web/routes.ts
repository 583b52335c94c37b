/**
 * HTTP API route matching, as API Gateway does it: `{name}` matches one path segment, `{name+}` (last only)
 * matches one or more, `ANY` matches every method, `$default` catches what nothing else matches. The most
 * specific route wins: at the first segment where two routes differ, a literal beats a variable, which beats
 * a greedy variable; then a named method beats ANY.
 */

export interface WebRoute {
  /** GET, POST, …, or ANY. */
  method: string;
  /** e.g. "/tenants/{id}", "/assets/{proxy+}" or "$default". */
  path: string;
  functionName: string;
}

export interface RouteMatch {
  route: WebRoute;
  /** Route key as API Gateway writes it: "POST /signups", "ANY /assets/{proxy+}" or "$default". */
  routeKey: string;
  pathParams: Record<string, string>;
}

type Segment =
  | { kind: "literal"; text: string }
  | { kind: "param"; name: string }
  | { kind: "greedy"; name: string };

interface Compiled {
  route: WebRoute;
  method: string;
  segments: Segment[] | "default";
}

function splitPath(path: string): string[] {
  return path.split("/").filter((s) => s.length > 0);
}

export function compileRoute(route: WebRoute): Compiled {
  const method = route.method.toUpperCase();
  if (route.path === "$default") return { route, method: "ANY", segments: "default" };
  if (!route.path.startsWith("/")) throw new Error(`Route path must start with "/": ${route.path}`);
  const parts = splitPath(route.path);
  const segments = parts.map((p, i): Segment => {
    const m = /^\{([A-Za-z0-9_.:-]+)(\+)?\}$/.exec(p);
    if (!m?.[1]) return { kind: "literal", text: p };
    if (m[2] && i !== parts.length - 1) throw new Error(`Greedy variable must be last: ${route.path}`);
    return m[2] ? { kind: "greedy", name: m[1] } : { kind: "param", name: m[1] };
  });
  return { route, method, segments };
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as Segment;
    if (seg.kind === "greedy") {
      if (i >= parts.length) return undefined;
      params[seg.name] = safeDecode(parts.slice(i).join("/"));
      return params;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (seg.kind === "literal" && seg.text !== part) return undefined;
    if (seg.kind === "param") params[seg.name] = safeDecode(part);
  }
  return segments.length === parts.length ? params : undefined;
}

const RANK = { literal: 0, param: 1, greedy: 2 } as const;

/** Negative when a is more specific than b. */
function compareSpecificity(a: Compiled, b: Compiled): number {
  if (a.segments === "default" || b.segments === "default") {
    return (a.segments === "default" ? 1 : 0) - (b.segments === "default" ? 1 : 0);
  }
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const ra = a.segments[i] ? RANK[(a.segments[i] as Segment).kind] : -1;
    const rb = b.segments[i] ? RANK[(b.segments[i] as Segment).kind] : -1;
    if (ra !== rb) return ra - rb;
  }
  return (a.method === "ANY" ? 1 : 0) - (b.method === "ANY" ? 1 : 0);
}

export class RouteTable {
  private readonly compiled: Compiled[] = [];

  add(route: WebRoute): void {
    const c = compileRoute(route);
    const key = routeKeyOf(c);
    const existing = this.compiled.findIndex((x) => routeKeyOf(x) === key);
    if (existing >= 0) this.compiled.splice(existing, 1);
    this.compiled.push(c);
    this.compiled.sort(compareSpecificity);
  }

  /** `rawPath` is the request path as received (still percent-encoded). */
  match(method: string, rawPath: string): RouteMatch | undefined {
    const parts = splitPath(rawPath);
    const m = method.toUpperCase();
    for (const c of this.compiled) {
      if (c.method !== "ANY" && c.method !== m) continue;
      const params = c.segments === "default" ? {} : matchSegments(c.segments, parts);
      if (params) return { route: c.route, routeKey: routeKeyOf(c), pathParams: params };
    }
    return undefined;
  }
}

function routeKeyOf(c: Compiled): string {
  return c.segments === "default" ? "$default" : `${c.method} ${c.route.path}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
