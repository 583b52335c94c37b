import { randomUUID } from "node:crypto";
import {
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { beforeAll, describe, expect, it } from "vitest";
import {
  APP_CLIENT_NAME,
  CognitoIdentityProvisioner,
  poolNameFor,
  TAG_MANAGED_BY,
  TAG_SLUG,
  TAG_TENANT_ID,
} from "../../../core/adapters/identity.js";
import { DEFAULT_PLANS } from "../../../core/plans/catalog.js";
import { invitationFor } from "../../../core/plans/invitation.js";
import type { PoolSettings, TenantIdentityInput } from "../../../core/ports.js";

/** The settings the local cloud gives every tenant pool (local/embark/mount.ts). */
const SETTINGS: PoolSettings = {
  preTokenGenerationArn: "arn:aws:lambda:us-east-1:000000000000:function:pre-token-generation",
  mail: {
    sourceArn: "arn:aws:ses:us-east-1:000000000000:identity/embark.local",
    from: "Embark <no-reply@embark.local>",
  },
};

import { awsConfig } from "../../support/cloud.js";

// cognito-local behind the local cloud's edge (started once by the vitest global setup).
let client: CognitoIdentityProviderClient;

beforeAll(() => {
  client = new CognitoIdentityProviderClient(awsConfig());
});

function tenant(overrides: Partial<TenantIdentityInput> = {}): TenantIdentityInput {
  const tenantId = randomUUID();
  const t = {
    tenantId,
    slug: `acme-${tenantId.slice(0, 8)}`,
    companyName: "Acme <Rockets> & Co",
    adminEmail: `admin-${tenantId.slice(0, 8)}@acme.example`,
  };
  const standard = DEFAULT_PLANS.find((p) => p.id === "standard")!;
  return {
    ...t,
    invitation: invitationFor(t, standard, { appUrl: "http://app.test", supportEmail: "help@app.test" }),
    settings: SETTINGS,
    ...overrides,
  };
}

/** Pools carrying this tenant's tag, read straight from Cognito (not through the adapter). */
async function taggedPools(tenantId: string): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListUserPoolsCommand({ MaxResults: 60, NextToken: token }));
    // Other suites share this Cognito: look only at pools named for this tenant.
    for (const p of page.UserPools ?? []) {
      if (p.Name !== poolNameFor(tenantId)) continue;
      const d = await client.send(new DescribeUserPoolCommand({ UserPoolId: p.Id }));
      if (d.UserPool?.UserPoolTags?.[TAG_TENANT_ID] === tenantId) ids.push(p.Id!);
    }
    token = page.NextToken;
  } while (token);
  return ids;
}

const noop = async () => {};

describe("CognitoIdentityProvisioner", () => {
  it("creates a tagged pool, a public app client, the admins group and the admin user", async () => {
    const adapter = new CognitoIdentityProvisioner(client);
    const input = tenant();
    const created: string[] = [];
    const id = await adapter.ensureTenantIdentity(input, async (poolId) => {
      created.push(poolId);
    });

    expect(created).toEqual([id.userPoolId]);
    const pool = (await client.send(new DescribeUserPoolCommand({ UserPoolId: id.userPoolId }))).UserPool!;
    expect(pool.Name).toBe(poolNameFor(input.tenantId));
    expect(pool.UserPoolTags).toEqual({
      [TAG_TENANT_ID]: input.tenantId,
      [TAG_SLUG]: input.slug,
      [TAG_MANAGED_BY]: "embark",
    });
    expect(pool.UsernameAttributes).toEqual(["email"]);
    expect(pool.AdminCreateUserConfig?.AllowAdminCreateUserOnly).toBe(true);
    const invite = pool.AdminCreateUserConfig?.InviteMessageTemplate;
    expect(invite?.EmailMessage).toContain("{####}");
    expect(invite?.EmailMessage).toContain("Acme &lt;Rockets&gt; &amp; Co");
    expect(invite?.EmailMessage).toContain(`href="http://app.test/login?tenant=${input.slug}"`);
    expect(invite?.EmailSubject).toBe("Your Embark sign-in for Acme <Rockets> & Co");
    expect(pool.EmailConfiguration).toEqual({
      EmailSendingAccount: "DEVELOPER",
      SourceArn: SETTINGS.mail?.sourceArn,
      From: SETTINGS.mail?.from,
    });
    expect(pool.LambdaConfig?.PreTokenGenerationConfig).toEqual({
      LambdaVersion: "V2_0",
      LambdaArn: SETTINGS.preTokenGenerationArn,
    });

    const appClient = (
      await client.send(
        new DescribeUserPoolClientCommand({ UserPoolId: id.userPoolId, ClientId: id.userPoolClientId }),
      )
    ).UserPoolClient!;
    expect(appClient.ClientName).toBe(APP_CLIENT_NAME);
    expect(appClient.ClientSecret).toBeUndefined();
    expect(appClient.ExplicitAuthFlows).toEqual(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]);

    const user = await client.send(
      new AdminGetUserCommand({ UserPoolId: id.userPoolId, Username: input.adminEmail }),
    );
    // Username-by-email pool: the real username is a generated id, which the adapter returns.
    expect(user.Username).toBe(id.adminUsername);
    expect(id.adminUsername).not.toBe(input.adminEmail);
    expect(user.UserStatus).toBe("FORCE_CHANGE_PASSWORD");
    const attrs = Object.fromEntries((user.UserAttributes ?? []).map((a) => [a.Name, a.Value]));
    expect(attrs.email).toBe(input.adminEmail);
    expect(attrs.email_verified).toBe("true");
    const groups = await client.send(
      new AdminListGroupsForUserCommand({ UserPoolId: id.userPoolId, Username: id.adminUsername }),
    );
    expect(groups.Groups?.map((g) => g.GroupName)).toEqual(["admins"]);
    // Nothing the adapter returns carries a password.
    expect(JSON.stringify(id)).not.toMatch(/password/i);
  });

  it("is idempotent: a second call returns the same pool, client and user and creates nothing", async () => {
    const adapter = new CognitoIdentityProvisioner(client);
    const input = tenant();
    const first = await adapter.ensureTenantIdentity(input, noop);
    let createdAgain = false;
    const second = await adapter.ensureTenantIdentity(input, async () => {
      createdAgain = true;
    });
    // Without recorded ids too: found by name + tags.
    const third = await adapter.ensureTenantIdentity({ ...input, known: first }, noop);

    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(createdAgain).toBe(false);
    expect(await taggedPools(input.tenantId)).toEqual([first.userPoolId]);
    expect(await adapter.findPoolsForTenant(input.tenantId)).toEqual([first.userPoolId]);
    const clients = await client.send(
      new ListUserPoolClientsCommand({ UserPoolId: first.userPoolId, MaxResults: 60 }),
    );
    expect(clients.UserPoolClients?.map((c) => c.ClientId)).toEqual([first.userPoolClientId]);
    const users = await client.send(new ListUsersCommand({ UserPoolId: first.userPoolId }));
    expect(users.Users).toHaveLength(1);
  });

  it("reuses the pool of a run that crashed right after CreateUserPool", async () => {
    const adapter = new CognitoIdentityProvisioner(client);
    const input = tenant();
    let orphan: string | undefined;
    await expect(
      adapter.ensureTenantIdentity(input, async (poolId) => {
        orphan = poolId;
        throw new Error("crashed before recording the pool id");
      }),
    ).rejects.toThrow("crashed before recording");
    expect(orphan).toBeDefined();

    // The retry knows nothing (the id was never recorded) yet finds the pool by name + tags.
    const retried = await adapter.ensureTenantIdentity(input, async () => {
      throw new Error("must not create a second pool");
    });
    expect(retried.userPoolId).toBe(orphan);
    expect(await taggedPools(input.tenantId)).toEqual([orphan]);
  });

  it("ignores a recorded pool id that no longer exists", async () => {
    const adapter = new CognitoIdentityProvisioner(client);
    const input = tenant();
    const first = await adapter.ensureTenantIdentity(input, noop);
    await adapter.deleteTenantIdentity(first.userPoolId);
    const created: string[] = [];
    const again = await adapter.ensureTenantIdentity({ ...input, known: first }, async (id) => {
      created.push(id);
    });
    expect(again.userPoolId).not.toBe(first.userPoolId);
    expect(created).toEqual([again.userPoolId]);
    expect(await taggedPools(input.tenantId)).toEqual([again.userPoolId]);
  });

  it("cleans twin pools (a past crash) down to the oldest one", async () => {
    const adapter = new CognitoIdentityProvisioner(client);
    const input = tenant();
    const first = await adapter.ensureTenantIdentity(input, noop);
    // cognito-local stamps CreationDate in whole seconds: let one pass so "oldest" is well defined.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // A twin as an earlier crashed run would have left it: same name and tags, created later.
    const twin = await client.send(
      new CreateUserPoolCommand({
        PoolName: poolNameFor(input.tenantId),
        UserPoolTags: { [TAG_TENANT_ID]: input.tenantId, [TAG_SLUG]: input.slug, [TAG_MANAGED_BY]: "embark" },
        UsernameAttributes: ["email"],
      }),
    );
    // Another tenant's pool and a same-named pool without our tags are left alone.
    const stranger = await client.send(new CreateUserPoolCommand({ PoolName: poolNameFor(input.tenantId) }));
    expect((await taggedPools(input.tenantId)).sort()).toEqual([first.userPoolId, twin.UserPool!.Id!].sort());

    const again = await adapter.ensureTenantIdentity(input, noop);
    expect(again).toEqual(first);
    expect(await taggedPools(input.tenantId)).toEqual([first.userPoolId]);
    const strangerNow = await client.send(
      new DescribeUserPoolCommand({ UserPoolId: stranger.UserPool!.Id! }),
    );
    expect(strangerNow.UserPool?.Id).toBe(stranger.UserPool!.Id);
  });

  it("disables and re-enables every user of the pool", async () => {
    const adapter = new CognitoIdentityProvisioner(client);
    const input = tenant();
    const id = await adapter.ensureTenantIdentity(input, noop);
    const enabledStates = async () =>
      ((await client.send(new ListUsersCommand({ UserPoolId: id.userPoolId }))).Users ?? []).map(
        (u) => u.Enabled,
      );

    await adapter.setUsersEnabled(id.userPoolId, false);
    expect(await enabledStates()).toEqual([false]);
    await adapter.setUsersEnabled(id.userPoolId, false);
    expect(await enabledStates()).toEqual([false]);
    await adapter.setUsersEnabled(id.userPoolId, true);
    expect(await enabledStates()).toEqual([true]);
  });

  it("deletes the pool, and deleting it again is fine", async () => {
    const adapter = new CognitoIdentityProvisioner(client);
    const input = tenant();
    const id = await adapter.ensureTenantIdentity(input, noop);
    await adapter.deleteTenantIdentity(id.userPoolId);
    await adapter.deleteTenantIdentity(id.userPoolId);
    expect(await adapter.findPoolsForTenant(input.tenantId)).toEqual([]);
    await expect(
      client.send(new DescribeUserPoolCommand({ UserPoolId: id.userPoolId })),
    ).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
  });
});
