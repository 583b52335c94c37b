/**
 * EventBridge event patterns: validation (PutRule, TestEventPattern) and matching. A small stand-in written
 * from the EventBridge user guide ("Comparison operators for use in event patterns", "Content filtering",
 * "Matching null values and empty strings", "Arrays in event patterns"); no maintained npm package does this.
 *
 * Faithful to AWS: exact values (typed: "5" ≠ 5), arrays as OR, AND across keys, nested objects, event arrays
 * match when any element matches, prefix/suffix (with equals-ignore-case), equals-ignore-case, wildcard,
 * anything-but (value, list, prefix, suffix, equals-ignore-case, wildcard), numeric ranges, cidr (IPv4 and
 * IPv6), exists (leaf nodes only: exists:false matches an intermediate object), null and "" (not
 * interchangeable), and $or.
 *
 * Known gaps: numbers are compared as parsed JSON numbers (AWS compares exact values by their text, so
 * 300 and 3.0e2 differ there and not here); numeric limits (±5.0e9, six decimals) are not enforced; the
 * error messages are ours, in AWS's "Event pattern is not valid. Reason: …" form; pattern size and
 * complexity quotas are not enforced.
 */

export type EventPattern = { [key: string]: unknown };

export class EventPatternError extends Error {
  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.name = "InvalidEventPatternException";
  }
}

/** Parses and validates pattern text as PutRule receives it. Throws EventPatternError. */
export function parseEventPattern(text: string): EventPattern {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new EventPatternError(`Filter is not valid JSON: ${(err as Error).message}`);
  }
  validateEventPattern(parsed);
  return parsed;
}

/** Throws EventPatternError when `pattern` is not a pattern EventBridge would accept. */
export function validateEventPattern(pattern: unknown): asserts pattern is EventPattern {
  if (!isPlainObject(pattern)) throw new EventPatternError("Filter must be a JSON object");
  validateObject(pattern, "");
}

/**
 * True when `event` matches `pattern` (an object or its JSON text). Patterns are validated first, so a bad
 * pattern throws EventPatternError instead of silently not matching.
 */
export function matchesPattern(pattern: EventPattern | string, event: unknown): boolean {
  const p = typeof pattern === "string" ? parseEventPattern(pattern) : pattern;
  if (typeof pattern !== "string") validateEventPattern(p);
  return matchObject(p, event);
}

/** Matching without re-validating: for rules whose pattern was validated when it was stored. */
export function matchesValidatedPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(pattern, event);
}

// ---------------------------------------------------------------------------------------------------------
// Validation

function validateObject(pattern: Record<string, unknown>, path: string): void {
  const keys = Object.keys(pattern);
  if (keys.length === 0) throw new EventPatternError(`Empty objects are not allowed${at(path)}`);
  for (const key of keys) {
    const value = pattern[key];
    const here = path ? `${path}.${key}` : key;
    if (key === "$or") {
      validateOr(value, here);
    } else if (Array.isArray(value)) {
      validateMatchers(value, here);
    } else if (isPlainObject(value)) {
      validateObject(value, here);
    } else {
      throw new EventPatternError(`"${key}" must be an object or an array`);
    }
  }
}

function validateOr(value: unknown, path: string): void {
  if (!Array.isArray(value) || value.length < 2) {
    throw new EventPatternError(`"$or" must be an array of at least two objects${at(path)}`);
  }
  for (const alt of value) {
    if (!isPlainObject(alt)) throw new EventPatternError(`"$or" must contain only objects${at(path)}`);
    validateObject(alt, path);
  }
}

function validateMatchers(matchers: unknown[], path: string): void {
  if (matchers.length === 0) throw new EventPatternError(`Empty arrays are not allowed${at(path)}`);
  for (const m of matchers) {
    if (m === null || typeof m === "string" || typeof m === "boolean") continue;
    if (typeof m === "number") {
      if (!Number.isFinite(m)) throw new EventPatternError(`Numbers must be finite${at(path)}`);
      continue;
    }
    if (Array.isArray(m))
      throw new EventPatternError(`Match value must be String, number, true, false, or null${at(path)}`);
    if (isPlainObject(m)) {
      validateOperator(m, path);
      continue;
    }
    throw new EventPatternError(`Unsupported match value${at(path)}`);
  }
}

function validateOperator(m: Record<string, unknown>, path: string): void {
  const keys = Object.keys(m);
  if (keys.length !== 1) {
    throw new EventPatternError(
      `A match expression must have exactly one operator${at(path)}, got ${keys.length}`,
    );
  }
  const op = keys[0]!;
  const arg = m[op];
  switch (op) {
    case "prefix":
    case "suffix":
      validateStringOrIgnoreCase(op, arg, path);
      return;
    case "equals-ignore-case":
      requireString(op, arg, path);
      return;
    case "wildcard":
      validateWildcard(arg, path);
      return;
    case "exists":
      if (typeof arg !== "boolean")
        throw new EventPatternError(`exists match pattern must be either true or false${at(path)}`);
      return;
    case "numeric":
      parseNumeric(arg, path);
      return;
    case "cidr":
      if (typeof arg !== "string" || !parseCidr(arg)) {
        throw new EventPatternError(`Malformed CIDR, one '/' required${at(path)}: ${JSON.stringify(arg)}`);
      }
      return;
    case "anything-but":
      validateAnythingBut(arg, path);
      return;
    default:
      throw new EventPatternError(`Unrecognized match type ${op}${at(path)}`);
  }
}

function validateStringOrIgnoreCase(op: string, arg: unknown, path: string): void {
  if (typeof arg === "string") return;
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    if (
      keys.length === 1 &&
      keys[0] === "equals-ignore-case" &&
      typeof arg["equals-ignore-case"] === "string"
    )
      return;
  }
  throw new EventPatternError(
    `${op} match pattern must be a string or {"equals-ignore-case": string}${at(path)}`,
  );
}

function validateAnythingBut(arg: unknown, path: string): void {
  if (typeof arg === "string") return;
  if (typeof arg === "number") {
    if (!Number.isFinite(arg)) throw new EventPatternError(`Numbers must be finite${at(path)}`);
    return;
  }
  if (Array.isArray(arg)) {
    if (arg.length === 0) throw new EventPatternError(`Empty arrays are not allowed${at(path)}`);
    const allStrings = arg.every((v) => typeof v === "string");
    const allNumbers = arg.every((v) => typeof v === "number" && Number.isFinite(v));
    if (!allStrings && !allNumbers) {
      throw new EventPatternError(
        `Inside anything-but list, only strings or only numbers are allowed${at(path)}`,
      );
    }
    return;
  }
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    if (keys.length !== 1) throw new EventPatternError(`anything-but takes exactly one operator${at(path)}`);
    const op = keys[0]!;
    const inner = arg[op];
    if (op === "prefix" || op === "suffix") {
      requireString(`anything-but/${op}`, inner, path);
      if (inner === "") throw new EventPatternError(`Null ${op} not allowed${at(path)}`);
      return;
    }
    if (op === "equals-ignore-case" || op === "wildcard") {
      const list = Array.isArray(inner) ? inner : [inner];
      if (list.length === 0 || !list.every((v) => typeof v === "string")) {
        throw new EventPatternError(`anything-but/${op} must be a string or a list of strings${at(path)}`);
      }
      if (op === "wildcard") for (const w of list) validateWildcard(w, path);
      return;
    }
    throw new EventPatternError(`Unsupported anything-but pattern: ${op}${at(path)}`);
  }
  throw new EventPatternError(
    `Value of anything-but must be an array, a string, a number or an object${at(path)}`,
  );
}

function validateWildcard(arg: unknown, path: string): void {
  requireString("wildcard", arg, path);
  const text = arg as string;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\") {
      const next = text[i + 1];
      if (next !== "*" && next !== "\\")
        throw new EventPatternError(`Invalid escape character at pos ${i}${at(path)}`);
      i++;
    } else if (text[i] === "*" && text[i + 1] === "*") {
      throw new EventPatternError(`Consecutive wildcard characters at pos ${i + 1}${at(path)}`);
    }
  }
}

function requireString(op: string, arg: unknown, path: string): void {
  if (typeof arg !== "string") throw new EventPatternError(`${op} match pattern must be a string${at(path)}`);
}

function at(path: string): string {
  return path ? ` (at ${path})` : "";
}

interface NumericRange {
  lower?: { value: number; inclusive: boolean };
  upper?: { value: number; inclusive: boolean };
  equals?: number;
}

function parseNumeric(arg: unknown, path: string): NumericRange {
  if (!Array.isArray(arg) || (arg.length !== 2 && arg.length !== 4)) {
    throw new EventPatternError(
      `Value of numeric must be an array of one or two [operator, number] pairs${at(path)}`,
    );
  }
  const range: NumericRange = {};
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i];
    const value = arg[i + 1];
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new EventPatternError(`Value of ${String(op)} must be a number${at(path)}`);
    }
    if (op === "=") {
      if (arg.length !== 2)
        throw new EventPatternError(`"=" cannot be combined with another operator${at(path)}`);
      range.equals = value;
    } else if (op === ">" || op === ">=") {
      if (range.lower) throw new EventPatternError(`Bad numeric range: two lower bounds${at(path)}`);
      range.lower = { value, inclusive: op === ">=" };
    } else if (op === "<" || op === "<=") {
      if (range.upper) throw new EventPatternError(`Bad numeric range: two upper bounds${at(path)}`);
      range.upper = { value, inclusive: op === "<=" };
    } else {
      throw new EventPatternError(`Unrecognized numeric range operator: ${JSON.stringify(op)}${at(path)}`);
    }
  }
  if (range.lower && range.upper && range.lower.value >= range.upper.value) {
    throw new EventPatternError(`Bad numeric range: lower bound must be below upper bound${at(path)}`);
  }
  return range;
}

// ---------------------------------------------------------------------------------------------------------
// Matching

function matchObject(pattern: Record<string, unknown>, node: unknown): boolean {
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === "$or") {
      if (!(sub as Record<string, unknown>[]).some((alt) => matchObject(alt, node))) return false;
      continue;
    }
    const present = isPlainObject(node) && Object.hasOwn(node, key);
    const value = present ? (node as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(sub)) {
      if (!matchLeaf(sub, leavesOf(present, value))) return false;
    } else if (!matchNested(sub as Record<string, unknown>, value)) {
      return false;
    }
  }
  return true;
}

/** A nested pattern against an object, or any element of an array of objects; absent fields match only exists:false. */
function matchNested(pattern: Record<string, unknown>, value: unknown): boolean {
  if (Array.isArray(value)) {
    const objects = value.filter(isPlainObject);
    if (objects.some((element) => matchObject(pattern, element))) return true;
    return objects.length === 0 && matchObject(pattern, undefined);
  }
  return matchObject(pattern, isPlainObject(value) ? value : undefined);
}

/** The leaf values at a field: none when absent or an object, the (flattened) elements of an array. */
function leavesOf(present: boolean, value: unknown): unknown[] {
  if (!present) return [];
  if (Array.isArray(value)) return value.flatMap((v) => leavesOf(true, v));
  return isPlainObject(value) ? [] : [value];
}

function matchLeaf(matchers: unknown[], leaves: unknown[]): boolean {
  return matchers.some((m) => {
    if (isPlainObject(m) && "exists" in m) return m.exists === leaves.length > 0;
    return leaves.some((leaf) => matchValue(m, leaf));
  });
}

function matchValue(m: unknown, leaf: unknown): boolean {
  if (!isPlainObject(m)) return m === leaf;
  const [op, arg] = Object.entries(m)[0]!;
  switch (op) {
    case "prefix":
      return typeof leaf === "string" && affix(arg, leaf, (s, p) => s.startsWith(p));
    case "suffix":
      return typeof leaf === "string" && affix(arg, leaf, (s, p) => s.endsWith(p));
    case "equals-ignore-case":
      return typeof leaf === "string" && fold(leaf) === fold(arg as string);
    case "wildcard":
      return typeof leaf === "string" && wildcardRegExp(arg as string).test(leaf);
    case "numeric":
      return typeof leaf === "number" && inRange(parseNumeric(arg, ""), leaf);
    case "cidr":
      return typeof leaf === "string" && inCidr(arg as string, leaf);
    case "anything-but":
      return anythingBut(arg, leaf);
    default:
      return false;
  }
}

function affix(arg: unknown, leaf: string, test: (s: string, p: string) => boolean): boolean {
  if (typeof arg === "string") return test(leaf, arg);
  const p = (arg as Record<string, string>)["equals-ignore-case"]!;
  return test(fold(leaf), fold(p));
}

function anythingBut(arg: unknown, leaf: unknown): boolean {
  if (typeof arg === "string" || typeof arg === "number") return leaf !== arg;
  if (Array.isArray(arg)) return !arg.includes(leaf);
  const [op, inner] = Object.entries(arg as Record<string, unknown>)[0]!;
  if (typeof leaf !== "string") return false;
  const list = (Array.isArray(inner) ? inner : [inner]) as string[];
  switch (op) {
    case "prefix":
      return !leaf.startsWith(inner as string);
    case "suffix":
      return !leaf.endsWith(inner as string);
    case "equals-ignore-case":
      return !list.some((v) => fold(v) === fold(leaf));
    case "wildcard":
      return !list.some((w) => wildcardRegExp(w).test(leaf));
    default:
      return false;
  }
}

function inRange(range: NumericRange, n: number): boolean {
  if (range.equals !== undefined) return n === range.equals;
  if (range.lower && !(range.lower.inclusive ? n >= range.lower.value : n > range.lower.value)) return false;
  if (range.upper && !(range.upper.inclusive ? n <= range.upper.value : n < range.upper.value)) return false;
  return true;
}

function fold(s: string): string {
  return s.toLowerCase();
}

const wildcardCache = new Map<string, RegExp>();

/** `*` matches any run of characters (including none); `\*` and `\\` are a literal star and backslash. */
function wildcardRegExp(wildcard: string): RegExp {
  let re = wildcardCache.get(wildcard);
  if (re) return re;
  let source = "";
  for (let i = 0; i < wildcard.length; i++) {
    const c = wildcard[i]!;
    if (c === "\\" && i + 1 < wildcard.length) {
      source += escapeRegExp(wildcard[++i]!);
    } else if (c === "*") {
      source += ".*";
    } else {
      source += escapeRegExp(c);
    }
  }
  re = new RegExp(`^${source}$`, "su");
  wildcardCache.set(wildcard, re);
  return re;
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

// ---------------------------------------------------------------------------------------------------------
// CIDR

interface Cidr {
  bits: 32 | 128;
  network: bigint;
  prefix: number;
}

function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  const addr = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!addr) return undefined;
  const prefix = slash < 0 ? addr.bits : Number(text.slice(slash + 1));
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > addr.bits) return undefined;
  return { bits: addr.bits, network: maskOf(addr.value, addr.bits, prefix), prefix };
}

function inCidr(cidrText: string, ipText: string): boolean {
  const cidr = parseCidr(cidrText);
  const ip = parseIp(ipText);
  if (!cidr || !ip || ip.bits !== cidr.bits) return false;
  return maskOf(ip.value, ip.bits, cidr.prefix) === cidr.network;
}

function maskOf(value: bigint, bits: number, prefix: number): bigint {
  const hostBits = BigInt(bits - prefix);
  return (value >> hostBits) << hostBits;
}

function parseIp(text: string): { bits: 32 | 128; value: bigint } | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { bits: 32, value: v4 };
  const v6 = parseIpv6(text);
  return v6 === undefined ? undefined : { bits: 128, value: v6 };
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    value = (value << 8n) | BigInt(p);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  let value = 0n;
  for (const g of [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    value = (value << 16n) | BigInt(Number.parseInt(g, 16));
  }
  return value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
