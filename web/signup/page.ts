/**
 * The signup page (GET /): one server-rendered HTML document with its stylesheet and script inlined, so one
 * Lambda response is the whole page on AWS and locally. The stylesheet (styles.css) and the script
 * (client/, with the slug rules from core/tenant/slug.ts) are minified into generated/page-assets.ts by
 * `npm run build:web`, so nothing is read from disk at run time. A strict Content-Security-Policy allows
 * exactly that script and stylesheet (by hash) and same-origin fetches.
 */
import { SLUG_MAX_LENGTH, SLUG_MIN_LENGTH } from "../../core/tenant/slug.js";
import { escapeHtml, inlinePage, inlinePagePolicy, type RenderedPage } from "../inline-page.js";
import { SIGNUP_CLIENT_JS, SIGNUP_CSS } from "./generated/page-assets.js";

export interface SignupPageOptions {
  /** Where tenants sign in (EMBARK_APP_URL); the ready view links to `<appUrl>/login?tenant=<slug>`. */
  appUrl: string;
}

// Constant for a build: hashed once per cold start.
export const SIGNUP_PAGE_CSP = inlinePagePolicy(SIGNUP_CLIENT_JS, SIGNUP_CSS)("'self'");

export function renderSignupPage(opts: SignupPageOptions): RenderedPage {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Create your workspace · Embark</title>
<link rel="icon" href="data:,">
<meta name="description" content="Sign up for Embark: your team's workspace with identity, an isolated namespace and, on Enterprise, dedicated resources.">
<style>${SIGNUP_CSS}</style>
</head>
<body>
<a class="skip-link" href="#main">Skip to the signup form</a>
<header class="site-header"><div class="inner"><span class="brand"><span class="brand-mark" aria-hidden="true"></span>Embark</span></div></header>
<main id="main" class="layout" data-app-url="${escapeHtml(opts.appUrl)}">
  <section class="intro" aria-labelledby="intro-title">
    <p class="eyebrow">Get started</p>
    <h1 id="intro-title">Your team's workspace, ready in about a minute</h1>
    <p class="lead">Tell us who you are and pick a plan. We set everything up while you watch.</p>
    <ul class="benefits">
      <li><div><strong>Sign-in for your team</strong><span>A private user directory with you as its admin.</span></div></li>
      <li><div><strong>An isolated namespace</strong><span>Quotas, limits and network policies that keep tenants apart.</span></div></li>
      <li><div><strong>Dedicated resources on Enterprise</strong><span>Deployed for you by our pipeline.</span></div></li>
    </ul>
  </section>

  <section id="signup-panel" class="panel" aria-labelledby="signup-title">
    <h2 id="signup-title">Create your workspace</h2>
    <p class="sub">All fields are required unless marked optional.</p>
    <div id="form-alert" class="alert error-box" role="alert" hidden></div>
    <form id="signup-form" novalidate>
      <div class="field">
        <label for="companyName">Company name</label>
        <input type="text" id="companyName" name="companyName" autocomplete="organization" maxlength="100" required aria-describedby="companyName-error">
        <p class="error" id="companyName-error" hidden></p>
      </div>
      <div class="field">
        <label for="adminEmail">Admin email</label>
        <p class="hint" id="adminEmail-hint">We send the sign-in details here.</p>
        <input type="email" id="adminEmail" name="adminEmail" autocomplete="email" inputmode="email" maxlength="254" required aria-describedby="adminEmail-hint adminEmail-error">
        <p class="error" id="adminEmail-error" hidden></p>
      </div>
      <fieldset class="field">
        <legend>Plan</legend>
        <div id="plan-list" class="plan-list" aria-describedby="plan-error"><p class="muted">Loading plans…</p></div>
        <p class="error" id="plan-error" hidden></p>
      </fieldset>
      <div class="field">
        <label for="slug">Workspace ID <span class="optional">(optional)</span></label>
        <p class="hint" id="slug-hint">Lowercase letters, digits and dashes, ${SLUG_MIN_LENGTH}–${SLUG_MAX_LENGTH} characters. Leave it empty and we make one from your company name.</p>
        <input type="text" id="slug" name="slug" autocomplete="off" autocapitalize="none" spellcheck="false" maxlength="63" aria-describedby="slug-hint slug-status slug-error">
        <p class="slug-status neutral" id="slug-status" aria-live="polite" hidden></p>
        <p class="error" id="slug-error" hidden></p>
      </div>
      <button type="submit" id="submit" class="button primary">Create workspace</button>
      <p class="fineprint">You can change your plan at any time.</p>
    </form>
  </section>

  <section id="progress-panel" class="panel" aria-labelledby="progress-title" hidden>
    <h2 id="progress-title" tabindex="-1">Setting up your workspace</h2>
    <p class="sub" id="progress-subtitle">Loading progress…</p>
    <p class="status-line"><span id="progress-pill" class="pill">Setting up</span><span id="progress-elapsed"></span></p>
    <div id="progress-notice" class="alert notice" role="status" hidden></div>
    <ol id="step-list" class="steps" aria-label="Setup steps"></ol>
    <div id="failure-box" class="alert error-box" hidden>
      <h3 id="failure-step">Setup stopped</h3>
      <p>Our team has been alerted and can resume setup from this step; what is already done is kept. Keep this page open: it updates by itself.</p>
    </div>
    <div id="ready-box" class="ready" hidden>
      <h3>Your workspace is ready</h3>
      <p>We've emailed the sign-in details to your admin address.</p>
      <dl>
        <dt>Sign-in URL</dt><dd><a id="ready-login" href="#"></a></dd>
        <dt>Workspace ID</dt><dd id="ready-slug"></dd>
        <dt>Namespace</dt><dd id="ready-namespace"></dd>
        <dt>User pool</dt><dd id="ready-pool"></dd>
        <dt>App client</dt><dd id="ready-client"></dd>
      </dl>
    </div>
    <p class="again"><a href="./">Create another workspace</a></p>
  </section>
  <p id="announcer" class="visually-hidden" aria-live="polite" aria-atomic="true"></p>
</main>
<footer class="site-footer"><div class="inner">Embark · tenant onboarding</div></footer>
<script>${SIGNUP_CLIENT_JS}</script>
</body>
</html>
`;
  return inlinePage(html, SIGNUP_PAGE_CSP);
}
