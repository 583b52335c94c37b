/**
 * Field ownership (metadata.managedFields, FieldsV1) and server-side apply.
 * Granularity: every leaf under the object's top-level fields (not apiVersion/kind/metadata/status) and under
 * metadata.labels/annotations is a field. Maps are walked, lists are atomic (owned whole: the apiserver merges
 * lists such as RoleBinding subjects per item; we don't), an empty map is owned as "this map exists".
 */
import {
  clone,
  deepEqual,
  isRecord,
  type KubeObject,
  type ManagedFieldsEntry,
  nowTimestamp,
} from "./resources.js";
import { ApiError } from "./status.js";

type Path = string[];
type PathSet = Map<string, Path>;
const keyOf = (p: Path): string => JSON.stringify(p);
const isPrefix = (p: Path, q: Path): boolean => p.length <= q.length && p.every((s, i) => s === q[i]);
const isEmptyMap = (v: unknown): boolean => isRecord(v) && Object.keys(v).length === 0;

function walk(v: unknown, path: Path, out: PathSet): void {
  if (v === null || v === undefined) return; // null in an apply config means "not set"
  if (isRecord(v) && !isEmptyMap(v)) for (const [k, c] of Object.entries(v)) walk(c, [...path, k], out);
  else out.set(keyOf(path), path);
}

export function fieldPaths(obj: KubeObject): PathSet {
  const out: PathSet = new Map();
  for (const [k, v] of Object.entries(obj))
    if (!["apiVersion", "kind", "metadata", "status"].includes(k)) walk(v, [k], out);
  for (const k of ["labels", "annotations"]) walk(obj.metadata[k], ["metadata", k], out);
  return out;
}

export function encodeFields(paths: Iterable<Path>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const p of paths) {
    let node = root;
    for (const seg of p) {
      node[`f:${seg}`] ??= {};
      node = node[`f:${seg}`] as Record<string, unknown>;
    }
  }
  return root;
}

export function decodeFields(f: unknown, prefix: Path = [], out: PathSet = new Map()): PathSet {
  const keys = isRecord(f) ? Object.keys(f).filter((k) => k.startsWith("f:")) : [];
  if (keys.length === 0 && prefix.length > 0) out.set(keyOf(prefix), prefix);
  for (const k of keys) decodeFields((f as Record<string, unknown>)[k], [...prefix, k.slice(2)], out);
  return out;
}

const getAt = (obj: unknown, p: Path): unknown =>
  p.reduce<unknown>((v, k) => (isRecord(v) ? v[k] : undefined), obj);

function setAt(obj: Record<string, unknown>, p: Path, value: unknown): void {
  let node = obj;
  for (const seg of p.slice(0, -1)) {
    if (!isRecord(node[seg])) node[seg] = {};
    node = node[seg] as Record<string, unknown>;
  }
  const last = p[p.length - 1]!;
  if (isEmptyMap(value) && isRecord(node[last])) return; // owning a map's existence keeps its content
  node[last] = clone(value);
}

/** Removes a field, then the maps it leaves empty (metadata itself stays). */
function deleteAt(obj: Record<string, unknown>, p: Path): void {
  const parents: Record<string, unknown>[] = [];
  let node: unknown = obj;
  for (const seg of p.slice(0, -1)) {
    if (!isRecord(node)) return;
    parents.push(node);
    node = node[seg];
  }
  if (!isRecord(node)) return;
  delete node[p[p.length - 1]!];
  for (let i = p.length - 2; i >= 0; i--) {
    const parent = parents[i]!;
    if (!isEmptyMap(parent[p[i]!]) || (i === 0 && p[0] === "metadata")) break;
    delete parent[p[i]!];
  }
}

/** Same value for ownership purposes: a map owned as "exists" matches any map. */
const sameValue = (a: unknown, b: unknown): boolean =>
  isRecord(a) && isRecord(b) && (isEmptyMap(a) || isEmptyMap(b)) ? true : deepEqual(a, b);

/** As the apiserver names managers in conflicts (its identifier drops the time, and the apiVersion for appliers). */
const printManager = (e: ManagedFieldsEntry): string =>
  e.operation === "Update" ? `"${e.manager}" using ${e.apiVersion}` : `"${e.manager}"`;

const dotted = (p: Path): string => `.${p.join(".")}`;

function applyConflict(conflicts: { entry: ManagedFieldsEntry; path: Path }[]): ApiError {
  const causes = conflicts.map((c) => ({
    reason: "FieldManagerConflict",
    message: `conflict with ${printManager(c.entry)}`,
    field: dotted(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0]!.entry)}: ${dotted(conflicts[0]!.path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const m = printManager(c.entry);
      byManager.set(m, [...(byManager.get(m) ?? []), `- ${dotted(c.path)}`]);
    }
    const lines = [...byManager.keys()].sort().flatMap((m) => [`conflicts with ${m}:`, ...byManager.get(m)!]);
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return new ApiError(409, "Conflict", message, { causes });
}

const entry = (
  manager: string,
  operation: ManagedFieldsEntry["operation"],
  apiVersion: string,
  time: string,
  paths: Iterable<Path>,
): ManagedFieldsEntry => ({
  manager,
  operation,
  apiVersion,
  time,
  fieldsType: "FieldsV1",
  fieldsV1: encodeFields(paths),
});

/**
 * Server-side apply of `config` by `manager` over `live` (undefined: create). Returns the merged object with its
 * new managedFields; throws a 409 listing the conflicts unless `force`.
 */
export function serverSideApply(
  live: KubeObject | undefined,
  config: KubeObject,
  manager: string,
  force: boolean,
  apiVersion: string,
): KubeObject {
  const cfg = fieldPaths(config);
  const owners = (live?.metadata.managedFields ?? []).map((e) => ({
    entry: e,
    paths: decodeFields(e.fieldsV1),
    changed: false,
  }));
  const mine = owners.find((o) => o.entry.manager === manager && o.entry.operation === "Apply");
  const others = owners.filter((o) => o !== mine);
  const base: KubeObject = live ?? { metadata: {} };

  // Another manager's field conflicts when this config sets it (or an ancestor of it) to a different value.
  const conflicts: { owner: (typeof owners)[number]; path: Path }[] = [];
  for (const o of others)
    for (const q of o.paths.values()) {
      const hit = [...cfg.values()].some((p) =>
        p.length === q.length ? isPrefix(p, q) : isPrefix(p, q) && !isRecord(getAt(config, p)),
      );
      if (hit && !sameValue(getAt(base, q), getAt(config, q))) conflicts.push({ owner: o, path: q });
    }
  if (conflicts.length > 0 && !force)
    throw applyConflict(conflicts.map((c) => ({ entry: c.owner.entry, path: c.path })));
  for (const c of conflicts) {
    c.owner.paths.delete(keyOf(c.path));
    c.owner.changed = true;
  }

  const object = clone(base);
  delete object.metadata.managedFields;
  // Fields this manager applied before and no longer applies go away, unless someone else owns them too.
  for (const [k, p] of mine?.paths ?? []) {
    if (cfg.has(k) || others.some((o) => [...o.paths.values()].some((q) => isPrefix(p, q)))) continue;
    deleteAt(object, p);
  }
  for (const p of cfg.values()) setAt(object, p, getAt(config, p));

  const before = clone(base);
  delete before.metadata.managedFields;
  const unchanged =
    mine !== undefined &&
    mine.paths.size === cfg.size &&
    [...cfg.keys()].every((k) => mine.paths.has(k)) &&
    deepEqual(object, before);
  const time = nowTimestamp();
  const mineEntry = unchanged ? mine.entry : entry(manager, "Apply", apiVersion, time, cfg.values());
  const entries = owners
    .map((o) =>
      o === mine ? mineEntry : o.changed ? { ...o.entry, fieldsV1: encodeFields(o.paths.values()) } : o.entry,
    )
    .filter((e) => Object.keys(e.fieldsV1).length > 0);
  if (!mine && cfg.size > 0) entries.push(mineEntry);
  object.metadata.managedFields = entries;
  return object;
}

/** Ownership after a create/update/patch by `manager`: it takes every field it changed, others lose them. */
export function trackUpdate(
  old: KubeObject | undefined,
  next: KubeObject,
  manager: string,
  apiVersion: string,
): ManagedFieldsEntry[] {
  const before = old ? fieldPaths(old) : new Map<string, Path>();
  const after = fieldPaths(next);
  const touched = new Set<string>();
  for (const [k, p] of after) if (!before.has(k) || !deepEqual(getAt(old, p), getAt(next, p))) touched.add(k);
  for (const k of before.keys()) if (!after.has(k)) touched.add(k);
  const entries = old?.metadata.managedFields ?? [];
  if (touched.size === 0) return entries;
  const out: ManagedFieldsEntry[] = [];
  const own: PathSet = new Map();
  for (const e of entries) {
    const paths = decodeFields(e.fieldsV1);
    if (e.manager === manager && e.operation === "Update") {
      for (const [k, p] of paths) if (after.has(k)) own.set(k, p);
      continue;
    }
    const lost = [...touched].filter((k) => paths.delete(k)).length > 0;
    if (paths.size > 0) out.push(lost ? { ...e, fieldsV1: encodeFields(paths.values()) } : e);
  }
  for (const k of touched) {
    const p = after.get(k);
    if (p) own.set(k, p);
  }
  if (own.size > 0) out.push(entry(manager, "Update", apiVersion, nowTimestamp(), own.values()));
  return out;
}
