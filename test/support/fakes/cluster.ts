/**
 * An in-memory ClusterProvisioner (core/ports.ts) for unit tests: the objects as last applied, by apiVersion,
 * kind, namespace and name, copying the server-side apply of core/adapters/cluster.ts with one field manager
 * (force): applying an object replaces it, re-applying the same object changes nothing (`changes` counts the
 * applies that changed an object), an object in a namespace that does not exist is refused (the API server's
 * 404), and deleting a namespace deletes everything in it and is fine when it is already gone. Namespace
 * access grants (EKS access entries) are kept as `access`. Does not copy: other field managers' fields,
 * validation of the objects, the asynchronous cascade of a namespace deletion (the adapter waits for it).
 *
 * Points (see recording.ts): every method's name, and
 *   applied   after apply wrote every object (a crash after the side effect).
 */
import type { ClusterProvisioner, LiveObject, ObjectRef } from "../../../core/ports.js";
import { Recording, sdkError } from "./recording.js";

interface Applied {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: unknown;
}

const keyOf = (o: Pick<Applied, "apiVersion" | "kind" | "metadata">) =>
  `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

export class FakeCluster
  extends Recording<keyof ClusterProvisioner | "applied">
  implements ClusterProvisioner
{
  /** The objects as last applied, by apiVersion/kind/namespace/name. */
  readonly objects = new Map<string, Applied>();
  /** `<slug>/<namespace>` of each namespace whose admins have access. */
  readonly access = new Set<string>();
  /** Applies that created or changed an object. */
  changes = 0;

  async apply(objects: ReadonlyArray<Record<string, unknown>>): Promise<void> {
    await this.record("apply", [objects]);
    for (const object of structuredClone(objects) as Applied[]) {
      const ns = object.metadata.namespace;
      if (ns && !this.hasNamespace(ns)) {
        throw sdkError("NotFound", { status: 404, message: `namespaces "${ns}" not found` });
      }
      const key = keyOf(object);
      if (JSON.stringify(this.objects.get(key)) === JSON.stringify(object)) continue;
      this.objects.set(key, object);
      this.changes += 1;
    }
    await this.reach("applied");
  }

  /** The objects as last applied (ClusterInspector.read), undefined where missing. */
  async read(refs: readonly ObjectRef[]): Promise<Array<LiveObject | undefined>> {
    return refs.map((r) => {
      const o = this.objects.get(keyOf(r as Applied));
      return o ? (structuredClone(o) as unknown as LiveObject) : undefined;
    });
  }

  async grantNamespaceAccess(input: { slug: string; namespace: string }): Promise<void> {
    await this.record("grantNamespaceAccess", [input]);
    this.access.add(`${input.slug}/${input.namespace}`);
  }

  async revokeNamespaceAccess(input: { slug: string; namespace: string }): Promise<void> {
    await this.record("revokeNamespaceAccess", [input]);
    this.access.delete(`${input.slug}/${input.namespace}`);
  }

  async deleteNamespace(namespace: string): Promise<void> {
    await this.record("deleteNamespace", [namespace]);
    for (const [key, o] of this.objects) {
      if (o.metadata.namespace === namespace || (o.kind === "Namespace" && o.metadata.name === namespace)) {
        this.objects.delete(key);
      }
    }
  }

  /** Pods are not modelled: nothing to evict. */
  async evictPods(namespace: string): Promise<number> {
    await this.record("evictPods", [namespace]);
    return 0;
  }

  async namespaceExists(namespace: string): Promise<boolean> {
    await this.record("namespaceExists", [namespace]);
    return this.hasNamespace(namespace);
  }

  /** Whether the namespace exists (without recording a call). */
  hasNamespace(namespace: string): boolean {
    return this.objects.has(keyOf({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } }));
  }

  /** One object as last applied. */
  object(kind: string, name: string, namespace?: string): Applied | undefined {
    return [...this.objects.values()].find(
      (o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace,
    );
  }

  /** The objects inside a namespace. */
  objectsIn(namespace: string): Applied[] {
    return [...this.objects.values()].filter((o) => o.metadata.namespace === namespace);
  }
}
