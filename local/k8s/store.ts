/**
 * Objects in memory, the global resourceVersion counter, watch events, and the optional state directory: a
 * durable operation log (local/aws/journal.ts) of puts and deletes, compacted into a snapshot
 * `{ resourceVersion, objects }`, so a change costs one journal line whatever the number of objects.
 * `flush()` resolves once every change made so far is on disk, and the server awaits it before answering a
 * write, as the apiserver does with etcd. A legacy `<dir>.json` state file (older `.local/k8s.json`) is loaded
 * once into a journal without a snapshot, then compacted and removed.
 */
import { rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Journal, StateText } from "../aws/journal.js";
import { readJsonState } from "../aws/state-file.js";
import {
  apiVersionOf,
  canonical,
  clone,
  deepEqual,
  type KubeObject,
  RESOURCES,
  type ResourceType,
} from "./resources.js";

export interface StoreEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KubeObject;
  rv: number;
  plural: string;
}

const HISTORY = 1000;

/** A journal record: an object as stored (with its resourceVersion), or a deletion at resourceVersion `rv`. */
export type StoreRecord =
  | { op: "put"; plural: string; object: KubeObject }
  | { op: "delete"; plural: string; namespace?: string; name: string; rv: number };

/** The snapshot, and the legacy state file's shape. */
interface StoreSnapshot {
  resourceVersion: number;
  objects: KubeObject[];
}

const DAMAGED = "every object in it is lost; the reconciler re-creates tenants' namespaces and guard rails";

const withoutRv = (o: KubeObject): KubeObject => ({
  ...o,
  metadata: { ...o.metadata, resourceVersion: undefined },
});

/** Stored objects as JSON text, by resource, namespace ("" for cluster-scoped) and name. */
class Objects {
  private byResource = new Map<string, Map<string, Map<string, string>>>();

  get(plural: string, ns: string | undefined, name: string): string | undefined {
    return this.byResource
      .get(plural)
      ?.get(ns ?? "")
      ?.get(name);
  }

  set(plural: string, ns: string | undefined, name: string, text: string): void {
    const byNs = this.byResource.get(plural) ?? new Map<string, Map<string, string>>();
    this.byResource.set(plural, byNs);
    const byName = byNs.get(ns ?? "") ?? new Map<string, string>();
    byNs.set(ns ?? "", byName);
    byName.set(name, text);
  }

  delete(plural: string, ns: string | undefined, name: string): void {
    const byNs = this.byResource.get(plural);
    const byName = byNs?.get(ns ?? "");
    if (!byNs || !byName) return;
    byName.delete(name);
    if (byName.size === 0) byNs.delete(ns ?? "");
  }

  /** In etcd key order (namespace, then name); reads only the namespaces asked for. */
  list(plural: string, ns: string | undefined): string[] {
    const byNs = this.byResource.get(plural);
    if (!byNs) return [];
    const namespaces = ns === undefined ? [...byNs.keys()].sort() : [ns];
    return namespaces.flatMap((n) => {
      const byName = byNs.get(n);
      return byName ? [...byName.keys()].sort().map((name) => byName.get(name)!) : [];
    });
  }

  *texts(): Iterable<string> {
    for (const byNs of this.byResource.values()) for (const byName of byNs.values()) yield* byName.values();
  }
}

export class Store {
  // JSON text, not objects: every read hands out a copy anyway, and text takes less heap (45,000 objects, the
  // namespaces of 5,000 tenants: 191 MB as objects, 146 MB as text). Indexed by namespace, so a list (RBAC
  // reads a namespace's RoleBindings on every request) costs the namespace's objects, not the cluster's.
  private objects = new Objects();
  private history: StoreEvent[] = [];
  /** Watches from before this resourceVersion can't be served (history trimmed, or state loaded from disk). */
  private horizon = 0;
  private listeners = new Set<(e: StoreEvent) => void>();
  private saved: Promise<void> = Promise.resolve();
  private journal: Journal<StoreRecord, StoreSnapshot> | undefined;
  rv = 0;

  /** `stateDir`: where the journal and snapshot live; none keeps everything in memory only. */
  constructor(private readonly stateDir?: string) {}

  get(rt: ResourceType, ns: string | undefined, name: string): KubeObject | undefined {
    const o = this.objects.get(rt.plural, ns, name);
    return o === undefined ? undefined : (JSON.parse(o) as KubeObject);
  }

  /** In etcd key order: namespace, then name. */
  list(rt: ResourceType, ns?: string): KubeObject[] {
    return this.objects.list(rt.plural, ns).map((o) => JSON.parse(o) as KubeObject);
  }

  /** Stores `obj`. A write that changes nothing keeps the stored object and its resourceVersion, as etcd3 does. */
  write(rt: ResourceType, obj: KubeObject, old: KubeObject | undefined): KubeObject {
    if (old && deepEqual(withoutRv(old), withoutRv(obj))) return clone(old);
    const stored = canonical({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } });
    this.objects.set(rt.plural, stored.metadata.namespace, stored.metadata.name!, JSON.stringify(stored));
    this.record({ op: "put", plural: rt.plural, object: stored });
    this.emit(old ? "MODIFIED" : "ADDED", rt, stored);
    return clone(stored);
  }

  /** Deletes; the DELETED event carries the object at a new resourceVersion, as the apiserver's does. */
  remove(rt: ResourceType, obj: KubeObject): KubeObject {
    this.objects.delete(rt.plural, obj.metadata.namespace, obj.metadata.name!);
    const gone = canonical({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } });
    const { namespace, name } = obj.metadata;
    this.record({ op: "delete", plural: rt.plural, namespace, name: name!, rv: this.rv });
    this.emit("DELETED", rt, gone);
    return clone(gone);
  }

  private emit(type: StoreEvent["type"], rt: ResourceType, object: KubeObject): void {
    const e: StoreEvent = { type, object: clone(object), rv: this.rv, plural: rt.plural };
    this.history.push(e);
    if (this.history.length > HISTORY) this.horizon = this.history.shift()!.rv;
    for (const l of this.listeners) l(e);
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events after resourceVersion `rv`, or undefined when they are no longer known (a watch gets 410 Expired). */
  since(rv: number): StoreEvent[] | undefined {
    if (rv < this.horizon) return undefined;
    return this.history.filter((e) => e.rv > rv);
  }

  /** Loads the snapshot and replays the journal (or migrates a legacy state file), then opens the journal. */
  async load(): Promise<void> {
    if (!this.stateDir) return;
    const { journal, snapshot, records } = await Journal.load<StoreRecord, StoreSnapshot>(this.stateDir);
    const legacyFile = join(dirname(this.stateDir), `${basename(this.stateDir)}.json`);
    // Only a journal that never held anything takes the legacy file; once a snapshot exists it supersedes it.
    const legacy =
      snapshot === undefined && records.length === 0
        ? await readJsonState<StoreSnapshot>(legacyFile, "kubernetes", { consequence: DAMAGED })
        : undefined;
    const base = snapshot ?? legacy;
    if (base) {
      for (const o of base.objects) {
        const rt = RESOURCES.find((r) => r.kind === o.kind && apiVersionOf(r) === o.apiVersion);
        if (rt) this.objects.set(rt.plural, o.metadata.namespace, o.metadata.name!, JSON.stringify(o));
      }
      this.rv = base.resourceVersion;
    }
    for (const r of records) this.apply(r);
    this.horizon = this.rv;
    // The stored texts go in as they are: writing a snapshot parses none of the objects.
    await journal.start(
      () =>
        new StateText(`{"resourceVersion":${this.rv},"objects":[${[...this.objects.texts()].join(",")}]}`),
    );
    this.journal = journal;
    if (legacy) await journal.compact();
    // Also finishes a migration a kill cut between the compaction and the removal.
    if (snapshot !== undefined || legacy) await rm(legacyFile, { force: true });
  }

  private apply(r: StoreRecord): void {
    if (r.op === "put") {
      const m = r.object.metadata;
      this.objects.set(r.plural, m.namespace, m.name!, JSON.stringify(r.object));
      this.rv = Math.max(this.rv, Number(m.resourceVersion));
    } else {
      this.objects.delete(r.plural, r.namespace, r.name);
      this.rv = Math.max(this.rv, r.rv);
    }
  }

  /** Journals a change already applied to memory, in the same synchronous step (journal.ts relies on it). */
  private record(r: StoreRecord): void {
    if (!this.journal) return;
    this.saved = this.journal
      .append(r)
      .catch((e: unknown) =>
        console.error(`k8s stand-in: could not journal a change in ${this.stateDir}:`, e),
      );
  }

  /** Resolves once every change made so far is on disk. */
  flush(): Promise<void> {
    return this.saved;
  }

  /** Writes what is pending and a final snapshot; later changes stay in memory only. */
  async close(): Promise<void> {
    await this.flush();
    const journal = this.journal;
    this.journal = undefined;
    await journal?.close();
  }
}
