/**
 * What a rule target receives (a small stand-in for EventBridge's target input handling, after the user
 * guide's "Amazon EventBridge input transformation"): the whole event by default, a constant `Input`, the
 * part picked by `InputPath`, or an `InputTransformer` (InputPathsMap + InputTemplate).
 *
 * Faithful to AWS: in a JSON template (starting with `{` or `[`) a variable outside quotes is inserted as
 * JSON and inside quotes as raw text, strings unescaped (AWS does not escape extracted values); a plain
 * text or quoted-string template gets raw text. Predefined variables: aws.events.rule-arn, rule-name,
 * event.ingestion-time, event (without detail), event.json (whole event). `<x>` that is not a variable stays.
 *
 * Known gaps: JSONPath is the subset AWS documents (dot notation, ['quoted'] names, array indices, `*`);
 * a variable whose path is missing becomes `null` outside quotes in a JSON template (AWS leaves it out,
 * which can make the JSON invalid) and empty text elsewhere.
 */

export interface InputTransformer {
  InputPathsMap?: Record<string, string>;
  InputTemplate: string;
}

export interface TargetInputConfig {
  Input?: string;
  InputPath?: string;
  InputTransformer?: InputTransformer;
}

export interface RuleRef {
  name: string;
  arn: string;
}

/** The payload text a target receives for `event` (an SQS message body, a Step Functions input, …). */
export function targetInput(
  target: TargetInputConfig,
  event: Record<string, unknown>,
  rule: RuleRef,
  ingestionTime: string,
): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) return JSON.stringify(selectPath(event, target.InputPath) ?? null);
  if (target.InputTransformer) return applyTransformer(target.InputTransformer, event, rule, ingestionTime);
  return JSON.stringify(event);
}

const PREDEFINED = ["aws.events.rule-arn", "aws.events.rule-name", "aws.events.event.ingestion-time"];

export function applyTransformer(
  transformer: InputTransformer,
  event: Record<string, unknown>,
  rule: RuleRef,
  ingestionTime: string,
): string {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) {
    values.set(name, selectPath(event, path));
  }
  values.set("aws.events.rule-arn", rule.arn);
  values.set("aws.events.rule-name", rule.name);
  values.set("aws.events.event.ingestion-time", ingestionTime);
  const { detail: _detail, ...withoutDetail } = event;
  // These two are inserted as JSON wherever they appear (AWS: "only as the value of a JSON field").
  const rawJson = new Map<string, string>([
    ["aws.events.event", JSON.stringify(withoutDetail)],
    ["aws.events.event.json", JSON.stringify(event)],
  ]);

  const template = transformer.InputTemplate;
  const jsonTemplate = /^\s*[[{]/.test(template);
  let out = "";
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === "\\" && inString) {
      out += c + (template[i + 1] ?? "");
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    if (c === "<") {
      const end = template.indexOf(">", i + 1);
      const name = end > i ? template.slice(i + 1, end) : "";
      if (name && (values.has(name) || rawJson.has(name))) {
        out += rawJson.get(name) ?? render(values.get(name), jsonTemplate && !inString);
        i = end;
        continue;
      }
    }
    out += c;
  }
  return out;
}

function render(value: unknown, asJson: boolean): string {
  if (value === undefined) return asJson ? "null" : "";
  if (asJson) return JSON.stringify(value);
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** True for names PutTargets must refuse as InputPathsMap keys. */
export function isReservedVariable(name: string): boolean {
  return PREDEFINED.includes(name) || name === "aws.events.event" || name === "aws.events.event.json";
}

/**
 * Evaluates the JSONPath subset EventBridge supports: `$`, `$.a.b`, `$.a[0]`, `$['a-b']`, `$.a.*`, `$.a[*]`.
 * A wildcard yields an array of the matches. Returns undefined when nothing is there.
 */
export function selectPath(root: unknown, path: string): unknown {
  const steps = parsePath(path);
  if (!steps) return undefined;
  let nodes: unknown[] = [root];
  let wildcard = false;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const node of nodes) {
      if (step === "*") {
        wildcard = true;
        if (Array.isArray(node)) next.push(...node);
        else if (node && typeof node === "object") next.push(...Object.values(node));
      } else if (typeof step === "number") {
        if (Array.isArray(node) && step < node.length) next.push(node[step]);
      } else if (node && typeof node === "object" && !Array.isArray(node) && Object.hasOwn(node, step)) {
        next.push((node as Record<string, unknown>)[step]);
      }
    }
    nodes = next;
  }
  if (wildcard) return nodes;
  return nodes[0];
}

export function parsePath(path: string): Array<string | number> | undefined {
  if (!path.startsWith("$")) return undefined;
  const steps: Array<string | number> = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === ".") {
      const m = /^[^.[\]]+/.exec(path.slice(i + 1));
      if (!m) return undefined;
      steps.push(m[0]);
      i += 1 + m[0].length;
    } else if (path[i] === "[") {
      const close = path.indexOf("]", i);
      if (close < 0) return undefined;
      const inner = path.slice(i + 1, close).trim();
      if (inner === "*") steps.push("*");
      else if (/^\d+$/.test(inner)) steps.push(Number(inner));
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push(inner.slice(1, -1));
      else return undefined;
      i = close + 1;
    } else {
      return undefined;
    }
  }
  return steps;
}
