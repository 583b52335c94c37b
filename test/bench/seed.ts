/**
 * Pre-seeds tenants for the bench's growth series, fast: copies of a real tenant's items (BatchWriteItem, ids,
 * slug and pool id replaced), a user pool and its app client created directly for each, and a copy of the
 * tenant's namespace with every object in it (quota, limits, network policies, RBAC…) created in the Kubernetes stand-in, so the
 * emulators hold what that many onboarded tenants would.
 */

import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { BatchWriteItemCommand, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import { localClientConfig } from "../../local/aws/client-config.js";
import { apiVersionOf, RESOURCES } from "../../local/k8s/resources.js";

export interface SeedTemplate {
  tenantId: string;
  slug: string;
  poolId: string;
}

/** Runs `job` n times, `concurrency` at a time. */
export async function pool<T>(n: number, concurrency: number, job: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let started = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, concurrency) }, async () => {
      while (started < n) {
        started++;
        out.push(await job());
      }
    }),
  );
  return out;
}

const pathOf = (plural: string, ns?: string) => {
  const rt = RESOURCES.find((r) => r.plural === plural)!;
  const base = rt.group ? `/apis/${apiVersionOf(rt)}` : "/api/v1";
  return ns ? `${base}/namespaces/${ns}/${plural}` : `${base}/${plural}`;
};

async function kube(url: string, method = "GET", body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/** The template tenant's namespace and the objects in it, as JSON text without server-set fields. */
async function namespaceObjects(kubeUrl: string, t: SeedTemplate): Promise<string[]> {
  const all = (await kube(`${kubeUrl}${pathOf("namespaces")}`)).items as Array<{
    metadata: { name: string };
  }>;
  const ns = all.find((n) => n.metadata.name.includes(t.slug) || n.metadata.name.includes(t.tenantId));
  if (!ns) throw new Error(`no namespace of tenant ${t.tenantId} to copy`);
  const objects: unknown[] = [{ ...ns, kind: "Namespace", apiVersion: "v1" }];
  for (const rt of RESOURCES.filter((r) => r.namespaced)) {
    const list = await kube(`${kubeUrl}${pathOf(rt.plural, ns.metadata.name)}`).catch(() => ({ items: [] }));
    // List items carry no kind or apiVersion.
    const items = (list.items as object[]) ?? [];
    objects.push(...items.map((o) => ({ ...o, kind: rt.kind, apiVersion: apiVersionOf(rt) })));
  }
  return objects.map((o) => {
    const {
      metadata,
      status: _status,
      ...rest
    } = o as { metadata: Record<string, unknown>; status?: unknown };
    const { resourceVersion: _rv, uid: _uid, managedFields: _mf, creationTimestamp: _ct, ...meta } = metadata;
    return JSON.stringify({ ...rest, metadata: meta });
  });
}

export async function seedTenants(
  count: number,
  template: SeedTemplate,
  endpoints: { edge: string; kubernetes: string },
  nextIndex: () => number,
): Promise<{ items: number; kubeObjects: number }> {
  const config = localClientConfig(endpoints.edge);
  const ddb = new DynamoDBClient(config);
  const idp = new CognitoIdentityProviderClient(config);
  const table = LOCAL_NAMES.table("tenants");
  const items = [];
  let key: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(new ScanCommand({ TableName: table, ExclusiveStartKey: key as never }));
    items.push(...(page.Items ?? []));
    key = page.LastEvaluatedKey;
  } while (key);
  const mine = items
    .map((it) => JSON.stringify(it))
    .filter((s) => s.includes(template.tenantId) || s.includes(template.slug) || s.includes(template.poolId));
  if (mine.length === 0) throw new Error(`no items of tenant ${template.tenantId} to copy`);
  const objects = await namespaceObjects(endpoints.kubernetes, template);
  const puts: string[] = [];
  await pool(count, 8, async () => {
    const i = nextIndex();
    const id = `seed${String(i).padStart(6, "0")}-0000-4000-8000-000000000000`.slice(
      0,
      template.tenantId.length,
    );
    const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: `seed-${i}` }));
    // Each tenant has its app client (cognito-local keeps them all in one file).
    await idp.send(new CreateUserPoolClientCommand({ UserPoolId: UserPool?.Id, ClientName: "web" }));
    const copy = (s: string) =>
      s
        .replaceAll(template.tenantId, id)
        .replaceAll(template.slug, `seed-co-${i}`)
        .replaceAll(template.poolId, UserPool?.Id ?? "");
    for (const s of mine) puts.push(copy(s));
    // The namespace first, then what lives in it.
    for (const s of objects) {
      const o = JSON.parse(copy(s)) as { kind: string; metadata: { namespace?: string } };
      const rt = RESOURCES.find((r) => r.kind === o.kind)!;
      await kube(`${endpoints.kubernetes}${pathOf(rt.plural, o.metadata.namespace)}`, "POST", o);
    }
  });
  for (let i = 0; i < puts.length; i += 25) {
    const RequestItems = {
      [table]: puts.slice(i, i + 25).map((s) => ({ PutRequest: { Item: JSON.parse(s) } })),
    };
    let left: typeof RequestItems | undefined = RequestItems;
    while (left && Object.keys(left).length > 0) {
      const out = await ddb.send(new BatchWriteItemCommand({ RequestItems: left }));
      left = out.UnprocessedItems as typeof RequestItems | undefined;
    }
  }
  return { items: puts.length, kubeObjects: count * objects.length };
}
