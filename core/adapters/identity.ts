/**
 * Tenant identity over Cognito user pools: one pool per tenant, an app client, an `admins` group and the
 * tenant's admin user.
 *
 * CreateUserPool takes no client token and pool names are not unique, so every step is find-then-create:
 * the pool has a deterministic name (`embark-tenant-<tenantId>`) and tenant tags, it is looked up (recorded
 * id first, then by name + tags) before one is created, and the caller records a new pool's id at once
 * (`onPoolCreated`). The same code runs against AWS and cognito-local (see the notes on usernames below).
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
  constructor(
    private readonly client: CognitoIdentityProviderClient = new CognitoIdentityProviderClient({}),
  ) {}

  async ensureTenantIdentity(
    input: TenantIdentityInput,
    onPoolCreated: (userPoolId: string) => Promise<void>,
  ): Promise<TenantIdentity> {
    const userPoolId = await this.ensurePool(input, onPoolCreated);
    // Before the admin user: its invitation is sent with the pool's mail settings and wording.
    await this.ensurePoolSettings(userPoolId, input);
    const userPoolClientId = await this.ensureClient(userPoolId, input.known?.userPoolClientId);
    await this.ensureAdminsGroup(userPoolId);
    const adminUsername = await this.ensureAdminUser(userPoolId, input.adminEmail);
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

  /** The tenant's pool: the recorded one if it still exists, else the oldest tagged one, else a new one. */
  private async ensurePool(
    input: TenantIdentityInput,
    onPoolCreated: (userPoolId: string) => Promise<void>,
  ): Promise<string> {
    const known = input.known?.userPoolId;
    if (known) {
      const pool = await this.describeUserPool(known);
      if (pool && this.belongsTo(pool, input.tenantId)) return known;
    }

    let pools = await this.findTenantPools(input.tenantId);
    if (pools.length === 0) {
      const created = await this.client.send(
        new CreateUserPoolCommand({
          PoolName: poolNameFor(input.tenantId),
          UsernameAttributes: ["email"],
          UsernameConfiguration: { CaseSensitive: false },
          Schema: [{ Name: "email", AttributeDataType: "String", Required: true, Mutable: true }],
          ...poolSettings(input),
        }),
      );
      const id = created.UserPool?.Id;
      if (!id) throw new Error("CreateUserPool returned no pool id");
      // Before anything else can fail, so a retry finds this pool by its recorded id.
      await onPoolCreated(id);
      // A concurrent run (a duplicate start) may have created a twin meanwhile; look again so both runs
      // converge on the oldest pool below. The new pool is kept in the list even if listing lags behind.
      pools = await this.findTenantPools(input.tenantId);
      if (!pools.some((p) => p.id === id))
        pools.push({ id, created: created.UserPool?.CreationDate?.getTime() ?? Date.now() });
    }

    // Two pools for one tenant mean an earlier run crashed (or raced) between CreateUserPool and recording
    // its id. Keep the oldest, which is the one any run that got further used, and delete the twins so the
    // tenant never holds more than one pool.
    const [keep, ...twins] = pools.sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
    for (const twin of twins) await this.deleteTenantIdentity(twin.id);
    return keep!.id;
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

  /** Pools with the tenant's name whose tags confirm they are ours for this tenant. */
  private async findTenantPools(tenantId: string): Promise<FoundPool[]> {
    const name = poolNameFor(tenantId);
    const candidates: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListUserPoolsCommand({ MaxResults: 60, NextToken: token }));
      for (const pool of page.UserPools ?? []) if (pool.Name === name && pool.Id) candidates.push(pool.Id);
      token = page.NextToken;
    } while (token);

    const found: FoundPool[] = [];
    // ListUserPools carries no tags: confirm each same-named pool with DescribeUserPool.
    for (const id of candidates) {
      const pool = await this.describeUserPool(id);
      if (pool && this.belongsTo(pool, tenantId))
        found.push({ id, created: pool.CreationDate?.getTime() ?? 0 });
    }
    return found;
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
  private async ensureAdminUser(userPoolId: string, email: string): Promise<string> {
    const existing = await this.adminUsername(userPoolId, email);
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
