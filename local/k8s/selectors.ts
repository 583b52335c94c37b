/** labelSelector and fieldSelector query parameters, with the apiserver's operators. */
import type { KubeObject } from "./resources.js";
import { badRequest } from "./status.js";

type Op = "=" | "!=" | "in" | "notin" | "exists" | "!exists";
interface Requirement {
  key: string;
  op: Op;
  values: string[];
}
export type Selector = (obj: KubeObject) => boolean;

/** Splits on commas outside parentheses: `env in (a,b),tier!=web`. */
const terms = (s: string): string[] => {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== "");
};

const parseTerm = (t: string): Requirement => {
  let m = /^!\s*([^\s=!(),]+)$/.exec(t);
  if (m) return { key: m[1]!, op: "!exists", values: [] };
  m = /^([^\s=!(),]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(t);
  if (m) return { key: m[1]!, op: m[2] as Op, values: m[3]!.split(",").map((v) => v.trim()) };
  m = /^([^\s=!(),]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/.exec(t);
  if (m) return { key: m[1]!, op: m[2] === "!=" ? "!=" : "=", values: [m[3]!] };
  m = /^([^\s=!(),]+)$/.exec(t);
  if (m) return { key: m[1]!, op: "exists", values: [] };
  throw badRequest(`unable to parse requirement: found '${t}', expected: in, notin, =, ==, !=, gt, lt`);
};

const matches = (r: Requirement, value: string | undefined): boolean => {
  switch (r.op) {
    case "=":
    case "in":
      return value !== undefined && r.values.includes(value);
    case "!=":
    case "notin":
      return value === undefined || !r.values.includes(value);
    case "exists":
      return value !== undefined;
    case "!exists":
      return value === undefined;
  }
};

export function labelSelector(s: string | null): Selector {
  const reqs = terms(s ?? "").map(parseTerm);
  return (obj) => reqs.every((r) => matches(r, obj.metadata.labels?.[r.key]));
}

const FIELDS: Record<string, (o: KubeObject) => string | undefined> = {
  "metadata.name": (o) => o.metadata.name,
  "metadata.namespace": (o) => o.metadata.namespace ?? "",
  "status.phase": (o) => (o.status as { phase?: string } | undefined)?.phase,
};

/** Only the fields every kind (and Namespace's status.phase) supports: =, ==, !=. */
export function fieldSelector(s: string | null): Selector {
  const reqs = terms(s ?? "").map((t) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(t);
    if (!m) throw badRequest(`invalid selector: '${t}'; can't understand '${t}'`);
    const get = FIELDS[m[1]!.trim()];
    if (!get) throw badRequest(`field label not supported: ${m[1]!.trim()}`);
    return { get, neg: m[2] === "!=", value: m[3]!.trim() };
  });
  return (obj) => reqs.every((r) => (r.get(obj) === r.value) !== r.neg);
}
