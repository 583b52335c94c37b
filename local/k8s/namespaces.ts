/**
 * Deletion lifecycle: system namespaces, Terminating namespaces and the namespace controller's cascade delete,
 * and metadata.finalizers (an object being deleted stays, with deletionTimestamp, until its finalizers are gone).
 */
import { trackUpdate } from "./managed-fields.js";
import { finishWrite } from "./objects.js";
import { type KubeObject, NAMESPACES, nowTimestamp, RESOURCES, type ResourceType } from "./resources.js";
import { forbidden, notFound } from "./status.js";
import type { Store } from "./store.js";

const SYSTEM = ["default", "kube-node-lease", "kube-public", "kube-system"];
const UNDELETABLE = ["default", "kube-public", "kube-system"];
/** How long the "namespace controller" waits before emptying a Terminating namespace. */
const FINALIZE_DELAY_MS = 20;

export type Defer = (fn: () => void, ms: number) => void;

/** Recreates missing system namespaces (the apiserver does so too) and resumes interrupted deletions. */
export function startNamespaces(store: Store, defer: Defer): void {
  for (const name of SYSTEM) {
    if (store.get(NAMESPACES, undefined, name)) continue;
    const ns = finishWrite(
      NAMESPACES,
      { apiVersion: "v1", kind: "Namespace", metadata: { name } },
      undefined,
    );
    ns.metadata.managedFields = trackUpdate(undefined, ns, "kube-apiserver", "v1");
    store.write(NAMESPACES, ns, undefined);
  }
  for (const ns of store.list(NAMESPACES))
    if (ns.metadata.deletionTimestamp) defer(() => finalize(store, ns.metadata.name!), FINALIZE_DELAY_MS);
}

/** New objects need an existing namespace that is not Terminating. */
export function requireWritableNamespace(store: Store, rt: ResourceType, ns: string, name: string): void {
  const namespace = store.get(NAMESPACES, undefined, ns);
  if (!namespace) throw notFound(NAMESPACES, ns);
  if (namespace.metadata.deletionTimestamp)
    throw forbidden(
      rt,
      name,
      `unable to create new content in namespace ${ns} because it is being terminated`,
      [
        {
          reason: "NamespaceTerminating",
          message: `namespace ${ns} is being terminated`,
          field: "metadata.namespace",
        },
      ],
    );
}

/** DELETE of a namespace: mark it Terminating and return it; the contents and then the namespace go shortly after. */
export function beginNamespaceDelete(store: Store, name: string, defer: Defer): KubeObject {
  if (UNDELETABLE.includes(name)) throw forbidden(NAMESPACES, name, "this namespace may not be deleted");
  const old = store.get(NAMESPACES, undefined, name);
  if (!old) throw notFound(NAMESPACES, name);
  if (old.metadata.deletionTimestamp) return old;
  const next = finishWrite(NAMESPACES, { ...old, metadata: { ...old.metadata } }, old);
  next.metadata.deletionTimestamp = nowTimestamp();
  next.status = { phase: "Terminating" };
  const stored = store.write(NAMESPACES, next, old);
  defer(() => finalize(store, name), FINALIZE_DELAY_MS);
  return stored;
}

/** The namespace controller's work: delete the contents, then the namespace once no finalizer holds it. */
function finalize(store: Store, name: string): void {
  // Unlike the real controller, the contents' own finalizers are not waited for.
  for (const rt of RESOURCES.filter((r) => r.namespaced))
    for (const obj of store.list(rt, name)) store.remove(rt, obj);
  const ns = store.get(NAMESPACES, undefined, name);
  if (ns && !ns.metadata.finalizers?.length) store.remove(NAMESPACES, ns);
}

/** DELETE of an object with finalizers only marks it; otherwise it goes now. Returns the reply body. */
export function deleteObject(store: Store, rt: ResourceType, old: KubeObject): KubeObject | undefined {
  if (!old.metadata.finalizers?.length) {
    store.remove(rt, old);
    return undefined;
  }
  if (old.metadata.deletionTimestamp) return old;
  return store.write(rt, { ...old, metadata: { ...old.metadata, deletionTimestamp: nowTimestamp() } }, old);
}

/** After a write: an object marked for deletion whose last finalizer was just removed is deleted. */
export function completeDeletion(store: Store, rt: ResourceType, obj: KubeObject): void {
  if (!obj.metadata.deletionTimestamp || obj.metadata.finalizers?.length) return;
  if (rt.kind === "Namespace") finalize(store, obj.metadata.name!);
  else if (store.get(rt, obj.metadata.namespace, obj.metadata.name!)) store.remove(rt, obj);
}
