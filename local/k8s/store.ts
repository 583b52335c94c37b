/**
 * Objects in memory, the global resourceVersion counter, watch events, and the optional JSON state file. Every
 * change rewrites the file atomically (coalesced, one write at a time); `flush()` resolves once the state the
 * caller saw is on disk, and the server awaits it before answering a write, as the apiserver does with etcd.
 */
import { readJsonState, writeFileAtomic } from "../aws/state-file.js";
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

const withoutRv = (o: KubeObject): KubeObject => ({
  ...o,
  metadata: { ...o.metadata, resourceVersion: undefined },
});

export class Store {
  private objects = new Map<string, KubeObject>();
  private history: StoreEvent[] = [];
  /** Watches from before this resourceVersion can't be served (history trimmed, or state loaded from disk). */
  private horizon = 0;
  private listeners = new Set<(e: StoreEvent) => void>();
  private saved: Promise<void> = Promise.resolve();
  rv = 0;

  constructor(private readonly stateFile?: string) {}

  private static key(plural: string, ns: string | undefined, name: string): string {
    return `${plural}/${ns ?? ""}/${name}`;
  }

  get(rt: ResourceType, ns: string | undefined, name: string): KubeObject | undefined {
    const o = this.objects.get(Store.key(rt.plural, ns, name));
    return o && clone(o);
  }

  /** In etcd key order: namespace, then name. */
  list(rt: ResourceType, ns?: string): KubeObject[] {
    const prefix = ns === undefined ? `${rt.plural}/` : `${rt.plural}/${ns}/`;
    return [...this.objects.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, o]) => clone(o));
  }

  /** Stores `obj`. A write that changes nothing keeps the stored object and its resourceVersion, as etcd3 does. */
  write(rt: ResourceType, obj: KubeObject, old: KubeObject | undefined): KubeObject {
    if (old && deepEqual(withoutRv(old), withoutRv(obj))) return clone(old);
    const stored = canonical({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } });
    this.objects.set(Store.key(rt.plural, stored.metadata.namespace, stored.metadata.name!), clone(stored));
    this.emit(old ? "MODIFIED" : "ADDED", rt, stored);
    return clone(stored);
  }

  /** Deletes; the DELETED event carries the object at a new resourceVersion, as the apiserver's does. */
  remove(rt: ResourceType, obj: KubeObject): KubeObject {
    this.objects.delete(Store.key(rt.plural, obj.metadata.namespace, obj.metadata.name!));
    const gone = canonical({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } });
    this.emit("DELETED", rt, gone);
    return clone(gone);
  }

  private emit(type: StoreEvent["type"], rt: ResourceType, object: KubeObject): void {
    const e: StoreEvent = { type, object: clone(object), rv: this.rv, plural: rt.plural };
    this.history.push(e);
    if (this.history.length > HISTORY) this.horizon = this.history.shift()!.rv;
    for (const l of this.listeners) l(e);
    this.scheduleSave();
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

  async load(): Promise<void> {
    if (!this.stateFile) return;
    const state = await readJsonState<{ resourceVersion: number; objects: KubeObject[] }>(
      this.stateFile,
      "kubernetes",
      {
        consequence:
          "every object in it is lost; the reconciler re-creates tenants' namespaces and guard rails",
      },
    );
    if (!state) return;
    for (const o of state.objects) {
      const rt = RESOURCES.find((r) => r.kind === o.kind && apiVersionOf(r) === o.apiVersion);
      if (rt) this.objects.set(Store.key(rt.plural, o.metadata.namespace, o.metadata.name!), o);
    }
    this.rv = this.horizon = state.resourceVersion;
  }

  private scheduleSave(): void {
    if (!this.stateFile) return;
    // A thunk: queued writes coalesce and the one that runs stores the newest state.
    this.saved = writeFileAtomic(this.stateFile, () =>
      JSON.stringify({ resourceVersion: this.rv, objects: [...this.objects.values()] }),
    ).catch((e: unknown) => console.error(`k8s stand-in: could not write ${this.stateFile}:`, e));
  }

  /** Resolves once every change made so far is on disk. */
  flush(): Promise<void> {
    return this.saved;
  }
}
