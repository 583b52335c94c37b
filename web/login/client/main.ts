/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The sign-in page's script: the entry scripts/build-web.ts bundles into the page (runs in the browser). It finds
 * the workspace (`?tenant=<slug>`) through GET /tenants/{slug}/sign-in, signs in with SRP (cognito.ts), asks for
 * a new password on the first sign-in, and then shows the tenant, the user and the claims of the ID token.
 * Errors go to the page's alert (role="alert"), so screen readers announce them.
 */
import { type SignInResult, signIn } from "./cognito.js";
import { apiBaseOf, claimRows, claimsOf, type SignInConfig, signInErrorMessage } from "./model.js";

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`sign-in page: #${id} is missing`);
  return el as T;
};

const endpoint = $("main").dataset.cognitoEndpoint ?? "";
const alertBox = $("alert");
const signinForm = $<HTMLFormElement>("signin-form");
const newpwForm = $<HTMLFormElement>("newpw-form");
const signedIn = $("signed-in");

function showAlert(text: string): void {
  // Re-setting the same text is not announced again: clear it first.
  alertBox.hidden = true;
  alertBox.textContent = "";
  window.setTimeout(() => {
    alertBox.textContent = text;
    alertBox.hidden = false;
  }, 30);
}

function clearAlert(): void {
  alertBox.hidden = true;
  alertBox.textContent = "";
}

function busy(button: HTMLButtonElement, on: boolean, label: string): void {
  button.disabled = on;
  button.textContent = label;
}

async function lookUp(slug: string): Promise<SignInConfig | undefined> {
  const res = await fetch(`${apiBaseOf(location.pathname)}/tenants/${encodeURIComponent(slug)}/sign-in`, {
    headers: { accept: "application/json" },
  }).catch(() => undefined);
  const body = (await res?.json().catch(() => ({}))) as SignInConfig & { error?: { message?: string } };
  if (res?.ok) return body;
  $("subtitle").textContent = "This workspace can't be signed in to.";
  showAlert(body?.error?.message ?? "We can't reach Embark right now. Try again in a moment.");
  return undefined;
}

function showSignedIn(idToken: string, config: SignInConfig): void {
  const claims = claimsOf(idToken);
  signinForm.hidden = true;
  newpwForm.hidden = true;
  clearAlert();
  $("who-tenant").textContent = `${String(claims.tenant_slug ?? config.slug)} (${config.companyName})`;
  $("who-email").textContent = String(claims.email ?? "");
  $("who-plan").textContent = String(claims.tenant_plan ?? "not in the token");
  const rows = $("claims");
  rows.replaceChildren(
    ...claimRows(claims).map(([name, value]) => {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = name;
      const td = document.createElement("td");
      td.textContent = value;
      tr.append(th, td);
      return tr;
    }),
  );
  $("subtitle").textContent = `Signed in to ${config.companyName}.`;
  signedIn.hidden = false;
  $("signed-in-title").focus();
}

function handle(result: SignInResult, config: SignInConfig): void {
  if (result.kind === "signedIn") {
    showSignedIn(result.idToken, config);
    return;
  }
  if (result.kind === "newPasswordRequired") {
    signinForm.hidden = true;
    clearAlert();
    newpwForm.hidden = false;
    const input = $<HTMLInputElement>("new-password");
    // For password managers: the account the new password belongs to.
    $<HTMLInputElement>("newpw-username").value = $<HTMLInputElement>("email").value;
    input.value = "";
    input.focus();
    newpwForm.onsubmit = async (e) => {
      e.preventDefault();
      const button = $<HTMLButtonElement>("newpw-submit");
      if (!input.value) {
        input.setAttribute("aria-invalid", "true");
        showAlert("Enter a new password.");
        return;
      }
      busy(button, true, "Setting password…");
      const next = await result.complete(input.value);
      busy(button, false, "Set password and sign in");
      if (next.kind === "failed") {
        input.setAttribute("aria-invalid", "true");
        showAlert(signInErrorMessage(next));
        input.focus();
        return;
      }
      input.removeAttribute("aria-invalid");
      handle(next, config);
    };
    return;
  }
  showAlert(signInErrorMessage(result));
  if (result.code === "NotAuthorizedException" && /incorrect/i.test(result.message)) {
    $<HTMLInputElement>("password").setAttribute("aria-invalid", "true");
    $<HTMLInputElement>("password").focus();
  }
}

async function start(): Promise<void> {
  const slug = new URLSearchParams(location.search).get("tenant")?.trim() ?? "";
  if (!slug) {
    $("subtitle").textContent = "Open the sign-in link from your welcome email.";
    showAlert("This address names no workspace: it needs ?tenant=<your workspace ID>.");
    return;
  }
  const config = await lookUp(slug);
  if (!config) return;
  $("title").textContent = `Sign in to ${config.companyName}`;
  $("subtitle").textContent = `Workspace ${config.slug}`;
  signinForm.hidden = false;
  const email = $<HTMLInputElement>("email");
  const password = $<HTMLInputElement>("password");
  email.focus();
  signinForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    for (const input of [email, password]) input.removeAttribute("aria-invalid");
    const missing = [email, password].filter((i) => !i.value.trim());
    if (missing.length > 0) {
      for (const input of missing) input.setAttribute("aria-invalid", "true");
      showAlert(missing.length === 2 ? "Enter your email and password." : `Enter your ${missing[0]?.id}.`);
      missing[0]?.focus();
      return;
    }
    const button = $<HTMLButtonElement>("signin-submit");
    busy(button, true, "Signing in…");
    const result = await signIn(endpoint, config, email.value.trim(), password.value);
    busy(button, false, "Sign in");
    handle(result, config);
  });
  $("signout").addEventListener("click", () => {
    // Tokens live in memory only: forgetting them is signing out of this page.
    location.reload();
  });
}

void start();
