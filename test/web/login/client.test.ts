/** The sign-in page's client logic (web/login/client/model.ts), its page and CSP, and the freshness of its bundle. */
import { describe, expect, it } from "vitest";
import { bundleClient, minifyCss } from "../../../scripts/build-web.js";
import { apiBaseOf, claimRows, claimsOf, signInErrorMessage } from "../../../web/login/client/model.js";
import { LOGIN_CLIENT_JS, LOGIN_CSS } from "../../../web/login/generated/page-assets.js";
import { cognitoEndpointFrom, loginPageCsp, renderLoginPage } from "../../../web/login/page.js";

describe("what the sign-in page says for Cognito's answers", () => {
  it.each([
    [{ code: "NotAuthorizedException", message: "Incorrect username or password." }, /don't match/],
    [{ code: "NotAuthorizedException", message: "User is disabled." }, /disabled.*suspended/],
    [
      {
        code: "NotAuthorizedException",
        message: "Temporary password has expired and must be reset by an administrator.",
      },
      /temporary password has expired/i,
    ],
    [
      {
        code: "InvalidPasswordException",
        message: "Password does not conform to policy: Password must have symbol characters",
      },
      /^Choose a different password: Password must have symbol characters\.$/,
    ],
    [
      {
        code: "UserLambdaValidationException",
        message: "PreTokenGeneration failed with error Workspace a is suspended.",
      },
      /workspace is suspended/,
    ],
    [{ code: "NetworkError", message: "Failed to fetch" }, /can't reach/],
    [{ code: "SomethingNew", message: "Unexpected thing" }, /^Sign-in failed: Unexpected thing$/],
  ])("%o → %s", (failure, expected) => {
    expect(signInErrorMessage(failure)).toMatch(expected);
  });
});

describe("the ID token's claims", () => {
  const token = [
    "e30",
    Buffer.from(
      JSON.stringify({
        email: "ö@acme.test",
        tenant_slug: "acme",
        tenant_plan: "standard",
        iat: 1_780_000_000,
      }),
    ).toString("base64url"),
    "sig",
  ].join(".");
  it("decodes base64url UTF-8 payloads and lists tenant claims first, times as dates", () => {
    expect(claimsOf(token)).toMatchObject({ email: "ö@acme.test", tenant_plan: "standard" });
    expect(claimRows(claimsOf(token))).toEqual([
      ["tenant_plan", "standard"],
      ["tenant_slug", "acme"],
      ["email", "ö@acme.test"],
      ["iat", new Date(1_780_000_000_000).toISOString()],
    ]);
  });
});

describe("the sign-in page", () => {
  it("finds the API beside /login, with or without a stage prefix", () => {
    expect(apiBaseOf("/login")).toBe("");
    expect(apiBaseOf("/prod/login")).toBe("/prod");
    expect(apiBaseOf("/prod/login/")).toBe("/prod");
  });

  it("labels its inputs Email, Password and New password and announces errors", () => {
    const { html } = renderLoginPage({ cognitoEndpoint: "http://127.0.0.1:4566" });
    expect(html).toMatch(/<label for="email">Email<\/label>/);
    expect(html).toMatch(/<label for="password">Password<\/label>/);
    expect(html).toMatch(/<label for="new-password">New password<\/label>/);
    expect(html).toMatch(/id="alert"[^>]*role="alert"[^>]*aria-live="assertive"/);
  });

  it("allows exactly its script, its stylesheet, this API and Cognito's endpoint", () => {
    const csp = loginPageCsp("https://cognito-idp.eu-west-1.amazonaws.com/");
    expect(csp).toContain("connect-src 'self' https://cognito-idp.eu-west-1.amazonaws.com;");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+';/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(
      renderLoginPage({ cognitoEndpoint: "http://127.0.0.1:4566" }).headers["content-security-policy"],
    ).toContain("connect-src 'self' http://127.0.0.1:4566");
  });

  it("talks to Cognito where the standard AWS variables say", () => {
    expect(cognitoEndpointFrom({ AWS_REGION: "eu-west-1" })).toBe(
      "https://cognito-idp.eu-west-1.amazonaws.com/",
    );
    expect(cognitoEndpointFrom({ AWS_ENDPOINT_URL: "http://127.0.0.1:4566" })).toBe("http://127.0.0.1:4566");
    expect(
      cognitoEndpointFrom({
        AWS_ENDPOINT_URL: "http://127.0.0.1:4566",
        AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: "http://127.0.0.1:9229",
      }),
    ).toBe("http://127.0.0.1:9229");
  });

  it("inlines the committed bundle, which is what `npm run build:web` builds from the sources now", async () => {
    expect(await bundleClient("login")).toBe(LOGIN_CLIENT_JS);
    expect(await minifyCss("login")).toBe(LOGIN_CSS);
  });
});
