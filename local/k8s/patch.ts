/**
 * Non-apply patches: JSON merge patch (RFC 7386) and JSON patch (RFC 6902). Strategic merge patch is served
 * as a merge patch: lists are replaced whole instead of merged by key, and `$patch` directives are not understood.
 */
import { clone, deepEqual, isRecord } from "./resources.js";
import { ApiError } from "./status.js";

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return clone(patch);
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const patchError = (message: string): ApiError => new ApiError(422, "Invalid", message);

const pointer = (p: string): string[] =>
  p === ""
    ? []
    : p
        .slice(1)
        .split("/")
        .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));

type Container = Record<string, unknown> | unknown[];

/** Walks to the parent of the pointer's last token. */
const parentOf = (doc: unknown, path: string): [Container, string] => {
  const tokens = pointer(path);
  const last = tokens.pop();
  if (last === undefined) throw patchError(`json patch: cannot operate on the document root`);
  let cur: unknown = doc;
  for (const t of tokens) {
    cur = Array.isArray(cur) ? cur[Number(t)] : isRecord(cur) ? cur[t] : undefined;
    if (cur === undefined) throw patchError(`json patch: path ${path} does not exist`);
  }
  if (!Array.isArray(cur) && !isRecord(cur)) throw patchError(`json patch: path ${path} does not exist`);
  return [cur, last];
};

const read = (doc: unknown, path: string): unknown => {
  if (path === "") return doc;
  const [c, k] = parentOf(doc, path);
  const v = Array.isArray(c) ? c[Number(k)] : c[k];
  if (v === undefined) throw patchError(`json patch: path ${path} does not exist`);
  return v;
};

const remove = (doc: unknown, path: string): void => {
  const [c, k] = parentOf(doc, path);
  read(doc, path);
  if (Array.isArray(c)) c.splice(Number(k), 1);
  else delete c[k];
};

const add = (doc: unknown, path: string, value: unknown): void => {
  const [c, k] = parentOf(doc, path);
  if (!Array.isArray(c)) c[k] = clone(value);
  else if (k === "-") c.push(clone(value));
  else {
    const i = Number(k);
    if (!Number.isInteger(i) || i < 0 || i > c.length)
      throw patchError(`json patch: index ${k} out of range`);
    c.splice(i, 0, clone(value));
  }
};

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw patchError("json patch: the patch must be a list of operations");
  const doc = clone(target);
  for (const op of ops) {
    if (!isRecord(op) || typeof op.path !== "string")
      throw patchError("json patch: every operation needs a path");
    const { path, value, from } = op;
    switch (op.op) {
      case "add":
        add(doc, path, value);
        break;
      case "remove":
        remove(doc, path);
        break;
      case "replace":
        remove(doc, path);
        add(doc, path, value);
        break;
      case "move":
      case "copy": {
        const v = read(doc, String(from));
        if (op.op === "move") remove(doc, String(from));
        add(doc, path, v);
        break;
      }
      case "test":
        if (!deepEqual(read(doc, path), value))
          throw patchError(`json patch: test operation for path ${path} failed`);
        break;
      default:
        throw patchError(`json patch: unknown operation ${String(op.op)}`);
    }
  }
  return doc;
}
