/**
 * The tenant export written at cancellation, before anything is disabled or deleted (design §2, retention):
 * `exports/<tenantId>/<cancellation>/` holds tenant.json (the record and its history), users.json (the user
 * directory: attributes, groups, enabled state; no password hashes: Cognito cannot export them),
 * namespace.yaml (the namespace's Embark objects as live manifests) and manifest.json (each object's SHA-256).
 * The keys depend only on the tenant and its cancellation, so a retry writes the same keys; once the location
 * is on the tenant record, a re-run writes nothing.
 */
import { createHash } from "node:crypto";
import { dump } from "js-yaml";
import { tenantObjects } from "../cluster/tenant-objects.js";
import type { TenantRef } from "../onboarding/step-table.js";
import type { PlanStore } from "../plans/store.js";
import type {
  ClusterInspector,
  ExportedUser,
  ExportStore,
  IdentityProvisioner,
  LiveObject,
  ObjectRef,
} from "../ports.js";
import type { Tenant, TenantExport } from "../tenant/model.js";
import type { TenantStore } from "../tenant/store.js";
import { StepError } from "../workflow/retry.js";

export const EXPORT_FORMAT = "embark-tenant-export/1";

/** What the export does not hold, said in the manifest itself. */
export const EXPORT_EXCLUDES = [
  "password hashes: Cognito cannot export them; imported users must set a new password",
  "MFA secrets and refresh tokens (Cognito keeps them and cannot export them)",
  "data the tenant's own workloads keep outside Kubernetes objects (volumes, databases)",
  "Kubernetes Secrets (Embark makes none; any the tenant made are not exported)",
];

export interface ExportDeps {
  tenants: Pick<TenantStore, "require" | "recordExport">;
  plans: Pick<PlanStore, "find">;
  identity: Pick<IdentityProvisioner, "exportUsers">;
  /** Reads live objects (a fresh connection per invocation). */
  clusterReader: () => Promise<Pick<ClusterInspector, "read">>;
  exports: ExportStore;
}

export interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  tenantId: string;
  slug: string;
  cancellation: { eventId: string; cancelledAt?: string };
  objects: Array<{ key: string; sha256: string; bytes: number; contentType: string }>;
  excludes: string[];
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** A key-safe form of the cancellation's event id (billing event ids and ops-… ids are already close). */
export function exportPrefix(tenantId: string, cancellationEventId: string): string {
  const id = cancellationEventId.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 200);
  return `exports/${tenantId}/${id}/`;
}

/**
 * A live object as a manifest someone can apply again: its kind and group version from the ref it was read by
 * (a client may drop them from a read), the server's bookkeeping fields removed.
 */
export function asManifest(ref: ObjectRef, o: LiveObject): Record<string, unknown> {
  const { status: _status, ...rest } = o;
  const {
    uid: _uid,
    resourceVersion: _rv,
    managedFields: _mf,
    creationTimestamp: _ct,
    generation: _g,
    ...metadata
  } = o.metadata as Record<string, unknown>;
  return { apiVersion: ref.apiVersion, kind: ref.kind, ...rest, metadata };
}

export async function exportTenant(d: ExportDeps, { tenantId }: TenantRef) {
  const t = await d.tenants.require(tenantId);
  if (t.status !== "CANCELLED" || !t.cancellation) {
    throw new StepError(
      "ValidationError",
      `Tenant ${t.slug} is ${t.status}, not CANCELLED: nothing to export`,
    );
  }
  const prefix = exportPrefix(tenantId, t.cancellation.eventId);
  // Written by an earlier attempt of this cancellation: nothing new (a different cancellation writes anew).
  if (t.export?.prefix === prefix) return { ...t.export, written: false };

  const users: ExportedUser[] = t.resources.userPoolId
    ? await d.identity.exportUsers(t.resources.userPoolId).catch((err: unknown) => {
        // A tenant whose pool was already gone (the reconciler flags it) has no users to export.
        if ((err as { name?: string }).name === "ResourceNotFoundException") return [];
        throw err;
      })
    : [];
  const namespace = await namespaceManifests(d, t);

  const files: Array<{ name: string; body: string; contentType: string }> = [
    { name: "tenant.json", body: json(t), contentType: "application/json" },
    {
      name: "users.json",
      body: json({ userPoolId: t.resources.userPoolId ?? null, users, passwords: EXPORT_EXCLUDES[0] }),
      contentType: "application/json",
    },
    { name: "namespace.yaml", body: namespace, contentType: "application/yaml" },
  ];
  const objects = [];
  for (const f of files) {
    const key = `${prefix}${f.name}`;
    await d.exports.put(key, f.body, f.contentType);
    objects.push({
      key,
      sha256: sha256(f.body),
      bytes: Buffer.byteLength(f.body),
      contentType: f.contentType,
    });
  }
  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    tenantId,
    slug: t.slug,
    cancellation: {
      eventId: t.cancellation.eventId,
      ...(t.cancelledAt ? { cancelledAt: t.cancelledAt } : {}),
    },
    objects,
    excludes: EXPORT_EXCLUDES,
  };
  const manifestBody = json(manifest);
  const manifestKey = `${prefix}manifest.json`;
  // Last: a manifest means every object it lists was written.
  await d.exports.put(manifestKey, manifestBody, "application/json");
  const exported: TenantExport = {
    bucket: d.exports.bucket,
    prefix,
    manifestKey,
    location: `s3://${d.exports.bucket}/${manifestKey}`,
    sha256: sha256(manifestBody),
    objects: objects.length + 1,
    at: new Date().toISOString(),
  };
  await d.tenants.recordExport(tenantId, exported);
  return { ...exported, written: true };
}

async function namespaceManifests(d: ExportDeps, t: Tenant): Promise<string> {
  const plan = await d.plans.find(t.plan);
  if (!plan) return "# the tenant's plan is unknown: no Embark objects to read\n";
  const refs = tenantObjects({ tenantId: t.tenantId, slug: t.slug, plan });
  const live = await (await d.clusterReader()).read(refs);
  const found = refs.flatMap((ref, i) => {
    const o = live[i];
    return o ? [asManifest(ref, o)] : [];
  });
  if (found.length === 0) return "# the namespace has no Embark objects (never made, or already gone)\n";
  return found.map((o) => dump(o, { sortKeys: true, lineWidth: -1 })).join("---\n");
}

function json(v: unknown): string {
  return `${JSON.stringify(v, null, 2)}\n`;
}
