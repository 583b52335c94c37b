/**
 * The sign-in page (GET /login?tenant=<slug>): one server-rendered HTML document with its stylesheet and script
 * inlined, served by a Lambda on AWS and locally alike (like the signup page, web/signup/page.ts). The script
 * (client/, with amazon-cognito-identity-js) finds the tenant's user pool through GET /tenants/{slug}/sign-in
 * and signs in with SRP straight against Cognito's user-pool API, so the Content-Security-Policy allows exactly
 * that endpoint besides this API.
 */
import { escapeHtml, inlinePage, inlinePagePolicy, type RenderedPage } from "../inline-page.js";
import { LOGIN_CLIENT_JS, LOGIN_CSS } from "./generated/page-assets.js";

export interface LoginPageOptions {
  /** Cognito's user-pool API as browsers reach it (the local cloud's edge, or cognito-idp.<region>.amazonaws.com). */
  cognitoEndpoint: string;
}

const policy = inlinePagePolicy(LOGIN_CLIENT_JS, LOGIN_CSS);

/** The policy for a page that talks to this API and to Cognito at `cognitoEndpoint`. */
export function loginPageCsp(cognitoEndpoint: string): string {
  return policy(`'self' ${new URL(cognitoEndpoint).origin}`);
}

/** Cognito's endpoint from the standard AWS variables (the local cloud sets AWS_ENDPOINT_URL to its edge). */
export function cognitoEndpointFrom(env: NodeJS.ProcessEnv = process.env): string {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
  return (
    env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER ??
    env.AWS_ENDPOINT_URL ??
    `https://cognito-idp.${region}.amazonaws.com/`
  );
}

export function renderLoginPage(opts: LoginPageOptions): RenderedPage {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Embark</title>
<link rel="icon" href="data:,">
<meta name="referrer" content="same-origin">
<style>${LOGIN_CSS}</style>
</head>
<body>
<a class="skip-link" href="#main">Skip to sign-in</a>
<header class="site-header"><div class="inner"><span class="brand"><span class="brand-mark" aria-hidden="true"></span>Embark</span></div></header>
<main id="main" class="layout" data-cognito-endpoint="${escapeHtml(opts.cognitoEndpoint)}">
  <section class="panel" aria-labelledby="title">
    <h1 id="title" tabindex="-1">Sign in</h1>
    <p class="sub" id="subtitle">Finding your workspace…</p>
    <div id="alert" class="alert" role="alert" aria-live="assertive" hidden></div>

    <form id="signin-form" novalidate hidden>
      <div class="field">
        <label for="email">Email</label>
        <input type="email" id="email" name="email" autocomplete="username" inputmode="email" required>
      </div>
      <div class="field">
        <label for="password">Password</label>
        <input type="password" id="password" name="password" autocomplete="current-password" required>
      </div>
      <button type="submit" id="signin-submit" class="button primary">Sign in</button>
    </form>

    <form id="newpw-form" novalidate hidden>
      <p>This is your first sign-in: choose your own password to replace the temporary one.</p>
      <input type="email" id="newpw-username" name="username" autocomplete="username" hidden>
      <div class="field">
        <label for="new-password">New password</label>
        <p class="hint" id="new-password-hint">At least 12 characters, with upper- and lower-case letters, a digit and a symbol.</p>
        <input type="password" id="new-password" name="newPassword" autocomplete="new-password" required aria-describedby="new-password-hint">
      </div>
      <button type="submit" id="newpw-submit" class="button primary">Set password and sign in</button>
    </form>

    <section id="signed-in" hidden aria-labelledby="signed-in-title">
      <div class="signed-in">
        <h2 id="signed-in-title" tabindex="-1">You're signed in</h2>
        <dl>
          <dt>Workspace</dt><dd id="who-tenant"></dd>
          <dt>Signed in as</dt><dd id="who-email"></dd>
          <dt>Plan</dt><dd id="who-plan"></dd>
        </dl>
      </div>
      <table class="claims">
        <caption>Claims of your ID token</caption>
        <thead><tr><th scope="col">Claim</th><th scope="col">Value</th></tr></thead>
        <tbody id="claims"></tbody>
      </table>
      <button type="button" id="signout" class="button secondary">Sign out</button>
    </section>
  </section>
</main>
<script>${LOGIN_CLIENT_JS}</script>
</body>
</html>
`;
  return inlinePage(html, loginPageCsp(opts.cognitoEndpoint));
}
