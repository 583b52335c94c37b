/**
 * The outside world as the onboarding steps see it. Adapters in core/adapters/ implement these over AWS
 * (and therefore over the local cloud); unit tests may use in-memory fakes.
 */

export interface TenantIdentityInput {
  tenantId: string;
  slug: string;
  companyName: string;
  adminEmail: string;
  /** Ids an earlier attempt recorded; the adapter reuses them instead of creating twins. */
  known?: { userPoolId?: string; userPoolClientId?: string };
}

export interface TenantIdentity {
  userPoolId: string;
  userPoolClientId: string;
  adminUsername: string;
}

export interface IdentityProvisioner {
  /**
   * Creates (or finds) the tenant's user pool, app client, `admins` group and admin user. CreateUserPool is
   * not idempotent on AWS, so `onPoolCreated` is called right after a pool is created so the caller can record
   * its id before anything else can fail.
   */
  ensureTenantIdentity(
    input: TenantIdentityInput,
    onPoolCreated: (userPoolId: string) => Promise<void>,
  ): Promise<TenantIdentity>;
  /** Blocks sign-in for every user of the pool (suspend) or restores it (reactivate). */
  setUsersEnabled(userPoolId: string, enabled: boolean): Promise<void>;
  /** Deletes the pool (offboard); a pool that is already gone is fine. */
  deleteTenantIdentity(userPoolId: string): Promise<void>;
  /** Pools tagged with this tenant id (used to prove nothing is orphaned). */
  findPoolsForTenant(tenantId: string): Promise<string[]>;
}

export interface ClusterProvisioner {
  /** Server-side applies the objects (field manager "embark"); re-applying the same objects is a no-op. */
  apply(objects: ReadonlyArray<Record<string, unknown>>): Promise<void>;
  /** Grants the tenant's admins access scoped to their namespace (EKS access entry; nothing to do locally). */
  grantNamespaceAccess(input: { slug: string; namespace: string }): Promise<void>;
  /** Takes that access away again (offboarding); optional so in-memory fakes need not implement it. */
  revokeNamespaceAccess?(input: { slug: string; namespace: string }): Promise<void>;
  /** Deletes the namespace and waits until it is gone (cascade). */
  deleteNamespace(namespace: string): Promise<void>;
  namespaceExists(namespace: string): Promise<boolean>;
}
