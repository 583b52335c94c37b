/** A tenant by id or slug: the one lookup behind GET /tenants/{id}, the ops CLI and the operator console. */

import { quoteInput } from "../errors.js";
import type { Tenant } from "./model.js";
import { validateSlug } from "./slug.js";
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

/**
 * Why `idOrSlug` can name no tenant (neither a UUID nor a well-formed slug), or undefined. A reserved slug is
 * well-formed: it simply names no tenant.
 */
export function tenantRefProblem(idOrSlug: string): string | undefined {
  if (UUID.test(idOrSlug)) return undefined;
  const slug = validateSlug(idOrSlug);
  if (slug.ok || slug.reason === "reserved") return undefined;
  return `${quoteInput(idOrSlug)} is neither a tenant id (a UUID) nor a slug (3-40 characters of a-z, 0-9 and "-")`;
}
