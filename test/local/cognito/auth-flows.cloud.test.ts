/**
 * Cognito's SRP sign-in on the local cloud (local/cognito/auth-flows.ts), driven by amazon-cognito-identity-js
 * exactly as a browser would: the invitation arrives in the local SES store, the temporary password signs in
 * and must be changed (the pool's policy applies), wrong passwords, disabled users and clients without the
 * flow get AWS's answers.
 */
import { randomUUID } from "node:crypto";
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ForgotPasswordCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { beforeAll, describe, expect, it } from "vitest";
import { awsConfig, cloud } from "../../support/cloud.js";
import { eventually, sentMail } from "../../support/embark.js";
import { claimsOf, signIn } from "../../support/srp-sign-in.js";

const cognito = new CognitoIdentityProviderClient(awsConfig());
const email = `srp-${randomUUID().slice(0, 8)}@srp.test`;
const FROM = "Acme Identity <identity@acme.test>";
let ids: { userPoolId: string; clientId: string };
let temporary: string;

/** The temporary password, read from the invitation the local SES accepted (as a user reads their mail). */
async function invitationPassword(to: string): Promise<{ password: string; subject: string; html: string }> {
  const [mail] = await eventually(
    async () => (await sentMail()).filter((m) => m.to.includes(to) && /invited/.test(m.subject)),
    (m) => m.length > 0,
  );
  const password = /Temporary password: <b>([^<]+)<\/b>/.exec(mail?.html ?? "")?.[1];
  if (!mail || !password) throw new Error(`no invitation with a temporary password for ${to}`);
  return { password, subject: mail.subject, html: mail.html };
}

beforeAll(async () => {
  const pool = await cognito.send(
    new CreateUserPoolCommand({
      PoolName: `srp-${randomUUID()}`,
      UsernameAttributes: ["email"],
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireUppercase: true,
          RequireLowercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 7,
        },
      },
      EmailConfiguration: {
        EmailSendingAccount: "DEVELOPER",
        SourceArn: "arn:aws:ses:us-east-1:000000000000:identity/acme.test",
        From: FROM,
      },
      AdminCreateUserConfig: {
        AllowAdminCreateUserOnly: true,
        InviteMessageTemplate: {
          EmailSubject: "You are invited to Acme",
          EmailMessage: "<p>Hello {username}. Temporary password: <b>{####}</b></p>",
        },
      },
    }),
  );
  const userPoolId = pool.UserPool?.Id as string;
  const client = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: "app",
      ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    }),
  );
  ids = { userPoolId, clientId: client.UserPoolClient?.ClientId as string };
  await cognito.send(
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
  temporary = (await invitationPassword(email)).password;
});

describe("Cognito SRP sign-in on the local cloud", () => {
  it("mails the invitation through the local SES in the pool's wording, from its sender", async () => {
    const mail = (await sentMail()).find((m) => m.to.includes(email) && /invited/.test(m.subject));
    expect(mail?.subject).toBe("You are invited to Acme");
    // {username} is the address the user signs in with; the password meets the pool's policy.
    expect(mail?.html).toContain(`Hello ${email}.`);
    expect(temporary).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)(?=.*[^A-Za-z0-9]).{12,}$/);
    const raw = (await (await fetch(cloud().sesMessages)).json()) as {
      emails: Array<Record<string, unknown>>;
    };
    const stored = raw.emails.find((e) => JSON.stringify(e).includes(email));
    expect(JSON.stringify(stored)).toContain("identity@acme.test");
  });

  it("a wrong password is NotAuthorizedException 'Incorrect username or password.'", async () => {
    expect(await signIn(cloud().edge, ids, email, "Wrong-password-1!")).toEqual({
      kind: "failed",
      code: "NotAuthorizedException",
      message: "Incorrect username or password.",
    });
    // An unknown user fails the same way (no user existence is revealed).
    expect(await signIn(cloud().edge, ids, `nobody-${email}`, temporary)).toMatchObject({
      kind: "failed",
      code: "NotAuthorizedException",
      message: "Incorrect username or password.",
    });
  });

  it("the temporary password asks for a new one; the pool's policy applies to it", async () => {
    const first = await signIn(cloud().edge, ids, email, temporary);
    expect(first.kind).toBe("newPasswordRequired");
    if (first.kind !== "newPasswordRequired") return;
    await expect(first.complete("short")).rejects.toMatchObject({
      code: "InvalidPasswordException",
      message: "Password does not conform to policy: Password not long enough",
    });
    const again = await signIn(cloud().edge, ids, email, temporary);
    if (again.kind !== "newPasswordRequired") throw new Error(`expected a challenge, got ${again.kind}`);
    const session = await again.complete("Brand-new-passw0rd!");
    const id = claimsOf(session.getIdToken().getJwtToken());
    expect(id).toMatchObject({ email, token_use: "id", aud: ids.clientId });
    expect(id.iss).toBe(`${cloud().edge}/${ids.userPoolId}`);
    expect(claimsOf(session.getAccessToken().getJwtToken())).toMatchObject({ client_id: ids.clientId });
  });

  it("the new password signs in directly; the temporary one no longer does", async () => {
    const ok = await signIn(cloud().edge, ids, email, "Brand-new-passw0rd!");
    expect(ok.kind).toBe("signedIn");
    expect((await signIn(cloud().edge, ids, email, temporary)).kind).toBe("failed");
  });

  it("a disabled user (a suspended tenant) is told so", async () => {
    await cognito.send(new AdminDisableUserCommand({ UserPoolId: ids.userPoolId, Username: email }));
    expect(await signIn(cloud().edge, ids, email, "Brand-new-passw0rd!")).toEqual({
      kind: "failed",
      code: "NotAuthorizedException",
      message: "User is disabled.",
    });
    await cognito.send(new AdminEnableUserCommand({ UserPoolId: ids.userPoolId, Username: email }));
    expect((await signIn(cloud().edge, ids, email, "Brand-new-passw0rd!")).kind).toBe("signedIn");
  });

  it("mails a password reset code through the local SES, and the code resets the password", async () => {
    await cognito.send(new ForgotPasswordCommand({ ClientId: ids.clientId, Username: email }));
    const [mail] = await eventually(
      async () =>
        (await sentMail()).filter((m) => m.to.includes(email) && m.subject === "Your verification code"),
      (m) => m.length > 0,
    );
    const code = /Your verification code is (\S+)\./.exec(mail?.html ?? "")?.[1] ?? "";
    expect(code).toMatch(/^\d{6}$/);
    await cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId: ids.clientId,
        Username: email,
        ConfirmationCode: code,
        Password: "Reset-passw0rd-2026!",
      }),
    );
    expect((await signIn(cloud().edge, ids, email, "Reset-passw0rd-2026!")).kind).toBe("signedIn");
  });

  it("a client that does not allow SRP refuses the flow", async () => {
    const client = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: ids.userPoolId,
        ClientName: "password-only",
        ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"],
      }),
    );
    expect(
      await signIn(
        cloud().edge,
        { ...ids, clientId: client.UserPoolClient?.ClientId as string },
        email,
        "Reset-passw0rd-2026!",
      ),
    ).toMatchObject({ kind: "failed", code: "InvalidParameterException" });
  });
});
