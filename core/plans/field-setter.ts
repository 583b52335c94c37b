import { PlanFieldError } from "./errors.js";
import { describeIssues, Plan } from "./schema.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * `plans set <plan> <field> <value>` for the ops CLI: sets a dotted path ("quota.pods",
 * "quota.requests.cpu", "emails.welcome.subject") from a string, coerced to the field's type,
 * and re-validates the whole plan. Returns a new plan; throws PlanFieldError.
 */
export function planFieldSetter(plan: Plan, fieldPath: string, rawValue: string): Plan {
  if (fieldPath === "id")
    throw new PlanFieldError("A plan's id cannot be changed; create a new plan instead");
  const next = structuredClone(plan) as unknown as Obj;
  const keys = resolvePath(next, fieldPath);
  const parent = keys.slice(0, -1).reduce<Obj>((o, k) => o[k] as Obj, next);
  const leaf = keys.at(-1) as string;
  const current = parent[leaf];
  if (isObj(current)) {
    const fields = Object.keys(current).map((k) => `${fieldPath}.${k}`);
    throw new PlanFieldError(`${fieldPath} is a group of fields; set one of: ${fields.join(", ")}`);
  }
  parent[leaf] = coerce(fieldPath, current, rawValue);
  const result = Plan.safeParse(next);
  if (!result.success) {
    throw new PlanFieldError(`Invalid value for ${fieldPath}: ${describeIssues(result.error.issues)}`);
  }
  return result.data;
}

/** Splits a dotted path into the plan's keys; keys themselves may hold dots ("requests.cpu"). */
function resolvePath(root: Obj, fieldPath: string): string[] {
  const keys: string[] = [];
  let node: unknown = root;
  let rest = fieldPath;
  while (rest) {
    if (!isObj(node)) break;
    const here = node;
    const key = Object.keys(here)
      .sort((a, b) => b.length - a.length)
      .find((k) => rest === k || rest.startsWith(`${k}.`));
    if (key === undefined) {
      const prefix = keys.length ? `${keys.join(".")}.` : "";
      const known = Object.keys(here).map((k) => prefix + k);
      throw new PlanFieldError(`Unknown plan field "${fieldPath}"; known fields here: ${known.join(", ")}`);
    }
    keys.push(key);
    node = here[key];
    rest = rest.slice(key.length + 1);
  }
  if (rest || keys.length === 0) throw new PlanFieldError(`Unknown plan field "${fieldPath}"`);
  return keys;
}

function coerce(path: string, current: unknown, raw: string): unknown {
  if (typeof current === "number") {
    if (!/^-?\d+(\.\d+)?$/.test(raw.trim())) {
      throw new PlanFieldError(`${path} expects a number, got ${JSON.stringify(raw)}`);
    }
    return Number(raw);
  }
  if (typeof current === "boolean") {
    const v = raw.trim().toLowerCase();
    if (v !== "true" && v !== "false") {
      throw new PlanFieldError(`${path} expects true or false, got ${JSON.stringify(raw)}`);
    }
    return v === "true";
  }
  if (Array.isArray(current)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === "string")) {
      throw new PlanFieldError(
        `${path} expects a JSON array of strings, e.g. ["a","b"]; got ${JSON.stringify(raw)}`,
      );
    }
    return parsed;
  }
  return raw;
}
