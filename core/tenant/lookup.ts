/** A tenant by id or slug: the one lookup behind GET /tenants/{id}, the ops CLI and the operator console. */

import type { Tenant } from "./model.js";
import type { TenantStore } from "./store.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A UUID is looked up as a tenant id, case-insensitively (ids are stored lower-cased); anything else, or a
 * UUID no tenant has as id, as a slug (a UUID-shaped string is also a valid slug).
 */
export async function findTenant(
  store: Pick<TenantStore, "get" | "getBySlug">,
  idOrSlug: string,
): Promise<Tenant | undefined> {
  const byId = UUID.test(idOrSlug) ? await store.get(idOrSlug.toLowerCase()) : undefined;
  return byId ?? (await store.getBySlug(idOrSlug));
}
