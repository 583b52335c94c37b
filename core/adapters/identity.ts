/**
 * Tenant identity over Cognito user pools: one pool per tenant, an app client, an `admins` group and the
 * tenant's admin user.
 *
 * CreateUserPool takes no client token and pool names are not unique, so every step is find-then-create:
 * the pool has a deterministic name (`embark-tenant-<tenantId>`) and tenant tags, it is looked up (recorded
 * id first, then by its tenant tag through the Resource Groups Tagging API) before one is created, and the
 * caller records a new pool's id at once (`onPoolCreated`). The tag lookup is one GetResources call whatever the
 * number of pools in the account (issue 12: ListUserPools read all of them, on AWS 60 a page against a quota of
 * a few calls a second shared by the account). The same code runs against AWS and the local cloud (which
 * emulates GetResources over an index its Cognito keeps; see the notes on usernames below).
 *
 * A pool this run has just made holds nothing yet: its client, group and admin are created without looking
 * for them first (the lookups serve a pool an earlier run made).
 *
 * The pool's sign-in settings (the pre-token-generation trigger, mail through Embark's SES identity, the
 * plan's invitation) are applied when it is made and brought up to date on every run for an existing pool,
 * with one UpdateUserPool that repeats every setting Embark manages (UpdateUserPool resets what it is not
 * given to Cognito's defaults).
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolClientCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListGroupsCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  ListUsersCommand,
  UpdateUserPoolCommand,
  type UserPoolType,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from "@aws-sdk/client-resource-groups-tagging-api";
import type {
  ExportedUser,
  IdentityInspector,
  IdentityProvisioner,
  PoolFacts,
  TenantIdentity,
  TenantIdentityInput,
} from "../ports.js";
import { isAwsError } from "./aws-errors.js";

export const POOL_NAME_PREFIX = "embark-tenant-";
export const TAG_TENANT_ID = "embark:tenant-id";
export const TAG_SLUG = "embark:slug";
export const TAG_MANAGED_BY = "embark:managed-by";
export const APP_CLIENT_NAME = "embark-app";
export const ADMINS_GROUP = "admins";

export const poolNameFor = (tenantId: string): string => `${POOL_NAME_PREFIX}${tenantId}`;
/** The tenant id a pool's name says it was made for, if it is named like Embark's. */
const tenantNamedBy = (name: string | undefined): string | undefined =>
  name?.startsWith(POOL_NAME_PREFIX) ? name.slice(POOL_NAME_PREFIX.length) : undefined;

/** A pool as found: enough to pick the oldest of twins. */
interface FoundPool {
  id: string;
  created: number;
}

export class CognitoIdentityProvisioner implements IdentityProvisioner, IdentityInspector {
  private readonly tagging: ResourceGroupsTaggingAPIClient;
  /**
   * CreateUserPool without the SDK's own retries: it takes no client token, so a retry after a lost answer makes
   * a second pool (the soak found tenants with two). A failed create fails the step's attempt instead, and the
   * step's retry finds the pool by its tag before creating.
   */
  private readonly createOnce: CognitoIdentityProviderClient;

  constructor(
    private readonly client: CognitoIdentityProviderClient = new CognitoIdentityProviderClient({}),
    tagging?: ResourceGroupsTaggingAPIClient,
  ) {
    // Same endpoint, Region and credentials as the Cognito client unless told otherwise.
    const c = client.config;
    this.createOnce = new CognitoIdentityProviderClient({
      region: c.region,
      credentials: c.credentials,
      ...(c.endpoint ? { endpoint: c.endpoint as never } : {}),
      maxAttempts: 1,
    });
    this.tagging =
      tagging ??
      new ResourceGroupsTaggingAPIClient({
        region: c.region,
        credentials: c.credentials,
        // An explicit endpoint (the local cloud's edge); AWS_ENDPOINT_URL applies to both clients on its own.
        ...(c.endpoint ? { endpoint: c.endpoint as never } : {}),
      });
  }

  async ensureTenantIdentity(
    input: TenantIdentityInput,
    onPoolCreated: (userPoolId: string) => Promise<void>,
  ): Promise<TenantIdentity> {
    const { id: userPoolId, fresh } = await this.ensurePool(input, onPoolCreated);
    // Before the admin user: its invitation is sent with the pool's mail settings and wording. A pool made just
    // now was made with them.
    if (!fresh) await this.ensurePoolSettings(userPoolId, input);
    const userPoolClientId = fresh
      ? await this.createClient(userPoolId)
      : await this.ensureClient(userPoolId, input.known?.userPoolClientId);
    if (fresh) await this.createAdminsGroup(userPoolId);
    else await this.ensureAdminsGroup(userPoolId);
    const adminUsername = await this.ensureAdminUser(userPoolId, input.adminEmail, fresh);
    // Adding a member twice is a no-op on AWS and cognito-local alike.
    await this.client.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: userPoolId,
        Username: adminUsername,
        GroupName: ADMINS_GROUP,
      }),
    );
    return { userPoolId, userPoolClientId, adminUsername };
  }

  async setUsersEnabled(userPoolId: string, enabled: boolean): Promise<void> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListUsersCommand({ UserPoolId: userPoolId, Limit: 60, PaginationToken: token }),
      );
      for (const user of page.Users ?? []) {
        // Skipping users already in the wanted state spares the shared per-account user-API rate.
        if (!user.Username || user.Enabled === enabled) continue;
        const params = { UserPoolId: userPoolId, Username: user.Username };
        // AdminDisableUser also revokes the user's tokens on AWS, so a suspension takes effect at once.
        await this.client.send(
          enabled ? new AdminEnableUserCommand(params) : new AdminDisableUserCommand(params),
        );
      }
      token = page.PaginationToken;
    } while (token);
  }

  async exportUsers(userPoolId: string): Promise<ExportedUser[]> {
    const users: ExportedUser[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListUsersCommand({ UserPoolId: userPoolId, Limit: 60, PaginationToken: token }),
      );
      for (const u of page.Users ?? []) {
        if (!u.Username) continue;
        const groups: string[] = [];
        let next: string | undefined;
        do {
          const g = await this.client.send(
            new AdminListGroupsForUserCommand({
              UserPoolId: userPoolId,
              Username: u.Username,
              Limit: 60,
              NextToken: next,
            }),
          );
          groups.push(...(g.Groups ?? []).flatMap((x) => (x.GroupName ? [x.GroupName] : [])));
          next = g.NextToken;
        } while (next);
        users.push({
          username: u.Username,
          enabled: u.Enabled !== false,
          ...(u.UserStatus ? { status: u.UserStatus } : {}),
          ...(u.UserCreateDate ? { createdAt: new Date(u.UserCreateDate).toISOString() } : {}),
          attributes: Object.fromEntries((u.Attributes ?? []).map((a) => [a.Name ?? "", a.Value ?? ""])),
          groups: groups.sort(),
        });
      }
      token = page.PaginationToken;
    } while (token);
    return users.sort((a, b) => (a.username < b.username ? -1 : 1));
  }

  async enabledUsers(userPoolId: string): Promise<number> {
    let token: string | undefined;
    let enabled = 0;
    do {
      const page = await this.client.send(
        new ListUsersCommand({ UserPoolId: userPoolId, Limit: 60, PaginationToken: token }),
      );
      enabled += (page.Users ?? []).filter((u) => u.Enabled !== false).length;
      token = page.PaginationToken;
    } while (token);
    return enabled;
  }

  async deleteTenantIdentity(userPoolId: string): Promise<void> {
    try {
      await this.client.send(new DeleteUserPoolCommand({ UserPoolId: userPoolId }));
    } catch (err) {
      if (!isAwsError(err, "ResourceNotFoundException")) throw err;
    }
  }

  async findPoolsForTenant(tenantId: string): Promise<string[]> {
    return (await this.findTenantPools(tenantId)).map((p) => p.id);
  }

  async describePool(userPoolId: string): Promise<PoolFacts | undefined> {
    const pool = await this.describeUserPool(userPoolId);
    if (!pool) return undefined;
    const tags = pool.UserPoolTags ?? {};
    return {
      id: userPoolId,
      name: pool.Name,
      namedFor: tenantNamedBy(pool.Name),
      tenantId: tags[TAG_TENANT_ID],
      managedByEmbark: tags[TAG_MANAGED_BY] === "embark",
      created: pool.CreationDate,
    };
  }

  async appClientExists(userPoolId: string, clientId: string): Promise<boolean> {
    try {
      await this.client.send(
        new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }),
      );
      return true;
    } catch (err) {
      if (isAwsError(err, "ResourceNotFoundException")) return false;
      throw err;
    }
  }

  ensureAppClient(userPoolId: string, knownClientId?: string): Promise<string> {
    return this.ensureClient(userPoolId, knownClientId);
  }

  async listPools(page: { token?: string; max: number }): Promise<{ pools: PoolFacts[]; next?: string }> {
    const out = await this.client.send(
      new ListUserPoolsCommand({ MaxResults: Math.min(Math.max(page.max, 1), 60), NextToken: page.token }),
    );
    const pools = (out.UserPools ?? []).flatMap((p): PoolFacts[] =>
      p.Id
        ? [
            {
              id: p.Id,
              name: p.Name,
              namedFor: tenantNamedBy(p.Name),
              managedByEmbark: false,
              created: p.CreationDate,
            },
          ]
        : [],
    );
    return { pools, ...(out.NextToken ? { next: out.NextToken } : {}) };
  }

  /**
   * The tenant's pool: the recorded one if it still exists, else the oldest tagged one, else a new one (`fresh`:
   * made by this call, nothing in it yet).
   */
  private async ensurePool(
    input: TenantIdentityInput,
    onPoolCreated: (userPoolId: string) => Promise<void>,
  ): Promise<{ id: string; fresh: boolean }> {
    const known = input.known?.userPoolId;
    if (known) {
      const pool = await this.describeUserPool(known);
      if (pool && this.belongsTo(pool, input.tenantId)) return { id: known, fresh: false };
    }

    let pools = await this.findTenantPools(input.tenantId);
    if (pools.length === 0) {
      const made = await this.createOnce.send(
        new CreateUserPoolCommand({
          PoolName: poolNameFor(input.tenantId),
          UsernameAttributes: ["email"],
          UsernameConfiguration: { CaseSensitive: false },
          Schema: [{ Name: "email", AttributeDataType: "String", Required: true, Mutable: true }],
          ...poolSettings(input),
        }),
      );
      const created = made.UserPool?.Id;
      if (!created) throw new Error("CreateUserPool returned no pool id");
      // Before anything else can fail, so a retry finds this pool by its recorded id.
      await onPoolCreated(created);
      // No second lookup for a twin made meanwhile: runs of one tenant's step never overlap (one execution per
      // tenant, a Task retried only once its invocation ended, a timed-out invocation ended by Lambda). A twin
      // left by anything else is found by the next run's lookup above, and by the reconciler's orphan sweep.
      return { id: created, fresh: true };
    }

    // Two pools for one tenant mean an earlier run crashed (or raced) between CreateUserPool and recording
    // its id. Keep the oldest, which is the one any run that got further used, and delete the twins so the
    // tenant never holds more than one pool.
    if (pools.length > 1) pools = await this.withCreationDates(pools);
    const [keep, ...twins] = pools.sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
    for (const twin of twins) await this.deleteTenantIdentity(twin.id);
    return { id: keep!.id, fresh: false };
  }

  /** Brings an existing pool's managed settings (trigger, mail, invitation) to what `input` asks for. */
  private async ensurePoolSettings(userPoolId: string, input: TenantIdentityInput): Promise<void> {
    const pool = await this.describeUserPool(userPoolId);
    if (!pool) throw new Error(`User pool ${userPoolId} disappeared while it was being set up`);
    const want = poolSettings(input);
    const invite = pool.AdminCreateUserConfig?.InviteMessageTemplate;
    const mail = pool.EmailConfiguration;
    const current = {
      trigger: pool.LambdaConfig?.PreTokenGenerationConfig?.LambdaArn,
      mail: [mail?.EmailSendingAccount, mail?.SourceArn, mail?.From, mail?.ConfigurationSet],
      invite: [invite?.EmailSubject, invite?.EmailMessage],
    };
    const wanted = {
      trigger: want.LambdaConfig?.PreTokenGenerationConfig?.LambdaArn,
      mail: want.EmailConfiguration
        ? [
            want.EmailConfiguration.EmailSendingAccount,
            want.EmailConfiguration.SourceArn,
            want.EmailConfiguration.From,
            want.EmailConfiguration.ConfigurationSet,
          ]
        : [mail?.EmailSendingAccount, mail?.SourceArn, mail?.From, mail?.ConfigurationSet],
      invite: want.AdminCreateUserConfig.InviteMessageTemplate
        ? [
            want.AdminCreateUserConfig.InviteMessageTemplate.EmailSubject,
            want.AdminCreateUserConfig.InviteMessageTemplate.EmailMessage,
          ]
        : [invite?.EmailSubject, invite?.EmailMessage],
    };
    if (JSON.stringify(current) === JSON.stringify(wanted)) return;
    await this.client.send(new UpdateUserPoolCommand({ UserPoolId: userPoolId, ...want }));
  }

  /**
   * Pools tagged as Embark's for this tenant: one GetResources call (Resource Groups Tagging API) on the tenant-id
   * tag, whatever the number of pools. `created` is 0 until withCreationDates fills it (only twins need it).
   */
  private async findTenantPools(tenantId: string): Promise<FoundPool[]> {
    const found: FoundPool[] = [];
    let token: string | undefined;
    do {
      const page = await this.tagging.send(
        new GetResourcesCommand({
          TagFilters: [
            { Key: TAG_TENANT_ID, Values: [tenantId] },
            { Key: TAG_MANAGED_BY, Values: ["embark"] },
          ],
          ResourceTypeFilters: ["cognito-idp:userpool"],
          ...(token ? { PaginationToken: token } : {}),
        }),
      );
      for (const r of page.ResourceTagMappingList ?? []) {
        const id = r.ResourceARN?.split(":userpool/")[1];
        if (id) found.push({ id, created: 0 });
      }
      token = page.PaginationToken || undefined;
    } while (token);
    return found;
  }

  /** Each pool's creation date (DescribeUserPool), dropping pools that are gone or no longer ours. */
  private async withCreationDates(pools: FoundPool[]): Promise<FoundPool[]> {
    const dated: FoundPool[] = [];
    for (const p of pools) {
      const pool = await this.describeUserPool(p.id);
      if (pool) dated.push({ id: p.id, created: pool.CreationDate?.getTime() ?? 0 });
    }
    return dated;
  }

  private async describeUserPool(userPoolId: string): Promise<UserPoolType | undefined> {
    try {
      return (await this.client.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }))).UserPool;
    } catch (err) {
      if (isAwsError(err, "ResourceNotFoundException")) return undefined;
      throw err;
    }
  }

  private belongsTo(pool: UserPoolType, tenantId: string): boolean {
    const tags = pool.UserPoolTags ?? {};
    return tags[TAG_TENANT_ID] === tenantId && tags[TAG_MANAGED_BY] === "embark";
  }

  /** The `embark-app` client (public: no secret, SRP sign-in + refresh), found by name before creating. */
  private async ensureClient(userPoolId: string, knownClientId: string | undefined): Promise<string> {
    const ours: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60, NextToken: token }),
      );
      for (const c of page.UserPoolClients ?? [])
        if (c.ClientName === APP_CLIENT_NAME && c.ClientId) ours.push(c.ClientId);
      token = page.NextToken;
    } while (token);

    if (ours.length > 0) {
      // CreateUserPoolClient is not idempotent either: a crash after it leaves an unrecorded twin. Keep the
      // recorded client (or the first) and delete twins nobody can be using yet.
      const keep = knownClientId && ours.includes(knownClientId) ? knownClientId : ours[0]!;
      for (const twin of ours.filter((id) => id !== keep)) {
        try {
          await this.client.send(new DeleteUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: twin }));
        } catch (err) {
          if (!isAwsError(err, "ResourceNotFoundException")) throw err;
        }
      }
      return keep;
    }

    return this.createClient(userPoolId);
  }

  private async createClient(userPoolId: string): Promise<string> {
    const created = await this.client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: APP_CLIENT_NAME,
        GenerateSecret: false,
        ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors: "ENABLED",
        EnableTokenRevocation: true,
        SupportedIdentityProviders: ["COGNITO"],
      }),
    );
    const id = created.UserPoolClient?.ClientId;
    if (!id) throw new Error("CreateUserPoolClient returned no client id");
    return id;
  }

  /**
   * The `admins` group, found with ListGroups rather than GetGroup: cognito-local answers GetGroup on a pool
   * without groups with an empty HTTP 500 instead of ResourceNotFoundException, and its CreateGroup
   * overwrites an existing group (dropping its members), so we must know reliably that it is missing.
   */
  private async ensureAdminsGroup(userPoolId: string): Promise<void> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListGroupsCommand({ UserPoolId: userPoolId, Limit: 60, NextToken: token }),
      );
      if (page.Groups?.some((g) => g.GroupName === ADMINS_GROUP)) return;
      token = page.NextToken;
    } while (token);
    await this.createAdminsGroup(userPoolId);
  }

  /** The `admins` group in a pool known to have none (made just now, or ListGroups said so). */
  private async createAdminsGroup(userPoolId: string): Promise<void> {
    try {
      await this.client.send(
        new CreateGroupCommand({
          UserPoolId: userPoolId,
          GroupName: ADMINS_GROUP,
          Description: "Administrators of this tenant",
        }),
      );
    } catch (err) {
      // A concurrent run created it first.
      if (!isAwsError(err, "GroupExistsException")) throw err;
    }
  }

  /**
   * The admin user, created with Cognito's own invitation: no TemporaryPassword is passed, so Cognito
   * generates it and emails it, and no password ever passes through our code, logs or state.
   *
   * The pool signs users in by email, so on AWS and on cognito-local alike the user's real `Username` is a
   * generated UUID while Admin* calls also accept the email. We look the user up by email but return (and
   * use from then on) the real username: some cognito-local calls (AdminListGroupsForUser) only match it.
   */
  private async ensureAdminUser(userPoolId: string, email: string, fresh: boolean): Promise<string> {
    const existing = fresh ? undefined : await this.adminUsername(userPoolId, email);
    if (existing) return existing;
    try {
      const created = await this.client.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: email,
          UserAttributes: [
            { Name: "email", Value: email },
            { Name: "email_verified", Value: "true" },
          ],
          DesiredDeliveryMediums: ["EMAIL"],
        }),
      );
      if (created.User?.Username) return created.User.Username;
    } catch (err) {
      // A concurrent run created the user first.
      if (!isAwsError(err, "UsernameExistsException")) throw err;
    }
    const username = await this.adminUsername(userPoolId, email);
    if (!username) throw new Error(`Admin user of pool ${userPoolId} was created but cannot be found`);
    return username;
  }

  private async adminUsername(userPoolId: string, email: string): Promise<string | undefined> {
    try {
      const user = await this.client.send(
        new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }),
      );
      return user.Username;
    } catch (err) {
      if (isAwsError(err, "UserNotFoundException")) return undefined;
      throw err;
    }
  }
}

/**
 * Every pool setting Embark manages that UpdateUserPool can change, for CreateUserPool and UpdateUserPool
 * alike (UpdateUserPool resets anything it is not given, so both send all of it).
 */
export function poolSettings(input: TenantIdentityInput) {
  const { mail, preTokenGenerationArn } = input.settings;
  return {
    UserPoolTags: { [TAG_TENANT_ID]: input.tenantId, [TAG_SLUG]: input.slug, [TAG_MANAGED_BY]: "embark" },
    AutoVerifiedAttributes: ["email" as const],
    Policies: {
      PasswordPolicy: {
        MinimumLength: 12,
        RequireLowercase: true,
        RequireUppercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
        TemporaryPasswordValidityDays: 7,
      },
    },
    AdminCreateUserConfig: {
      AllowAdminCreateUserOnly: true,
      // Cognito accepts an email template only when it mails through the developer's SES identity.
      ...(mail
        ? {
            InviteMessageTemplate: {
              EmailSubject: input.invitation.subject,
              EmailMessage: input.invitation.html,
            },
          }
        : {}),
    },
    ...(mail
      ? {
          EmailConfiguration: {
            EmailSendingAccount: "DEVELOPER" as const,
            SourceArn: mail.sourceArn,
            From: mail.from,
            ...(mail.configurationSet ? { ConfigurationSet: mail.configurationSet } : {}),
          },
        }
      : {}),
    ...(preTokenGenerationArn
      ? {
          LambdaConfig: {
            // V2 events customise the access token too; the legacy field must name the same function.
            PreTokenGeneration: preTokenGenerationArn,
            PreTokenGenerationConfig: { LambdaVersion: "V2_0" as const, LambdaArn: preTokenGenerationArn },
          },
        }
      : {}),
    AccountRecoverySetting: { RecoveryMechanisms: [{ Name: "verified_email" as const, Priority: 1 }] },
    // Offboarding deletes the pool; deletion protection would make that fail.
    DeletionProtection: "INACTIVE" as const,
    // Access-token claims from the pre-token-generation trigger need the Essentials tier.
    UserPoolTier: "ESSENTIALS" as const,
  };
}
