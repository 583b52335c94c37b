import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { describe, expect, it } from "vitest";
import { awsConfig, cloud } from "../support/cloud.js";
import { eventually, postSignup, sentMail, uniqueCompany, waitForTenant } from "../support/embark.js";
import { endpointOnlyEnv, runOpsCli } from "../support/ops-cli.js";
import { claimsOf, signIn } from "../support/srp-sign-in.js";

/** The ops CLI as an operator runs it against the local cloud: only AWS_ENDPOINT_URL and credentials set. */
const ops = (...args: string[]) => runOpsCli(args, endpointOnlyEnv());

describe("tenant claims in tokens", () => {
  it("puts id, slug and plan in the ID and access tokens; a plan change shows at the next refresh", async () => {
    const email = `claims+${Date.now()}@claims.test`;
    const res = await postSignup({
      companyName: uniqueCompany("Claims Co"),
      adminEmail: email,
      plan: "standard",
    });
    expect(res.status).toBe(202);
    const tenant = await waitForTenant(String(res.body.tenantId), ["ACTIVE"]);
    const ids = {
      userPoolId: tenant.resources.userPoolId as string,
      clientId: tenant.resources.userPoolClientId as string,
    };
    const [invitation] = await eventually(
      async () => (await sentMail()).filter((m) => m.to.includes(email) && /sign-in for/.test(m.subject)),
      (m) => m.length > 0,
    );
    const temporary = /Temporary password: <strong>([^<]+)<\/strong>/.exec(invitation?.html ?? "")?.[1] ?? "";

    const first = await signIn(cloud().edge, ids, email, temporary);
    if (first.kind !== "newPasswordRequired")
      throw new Error(`expected NEW_PASSWORD_REQUIRED, got ${first.kind}`);
    const session = await first.complete("Claims-check-2026!");
    const expected = { tenant_id: tenant.tenantId, tenant_slug: tenant.slug, tenant_plan: "standard" };
    expect(claimsOf(session.getIdToken().getJwtToken())).toMatchObject({ ...expected, email });
    expect(claimsOf(session.getAccessToken().getJwtToken())).toMatchObject({
      ...expected,
      token_use: "access",
      client_id: ids.clientId,
    });

    const changed = await ops("change-plan", tenant.slug, "free", "--wait");
    expect(changed.code, changed.stderr).toBe(0);
    const refreshed = await new CognitoIdentityProviderClient(awsConfig()).send(
      new InitiateAuthCommand({
        ClientId: ids.clientId,
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: session.getRefreshToken().getToken() },
      }),
    );
    expect(claimsOf(refreshed.AuthenticationResult?.IdToken ?? "")).toMatchObject({ tenant_plan: "free" });
    expect(claimsOf(refreshed.AuthenticationResult?.AccessToken ?? "")).toMatchObject({
      tenant_plan: "free",
    });
  });
});
