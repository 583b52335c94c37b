/**
 * The sign-in page's logic that needs no browser: what to tell a person for each answer Cognito or the API
 * gives, the claims of an ID token, and where the API is. Unit-tested in test/web/login/client.test.ts.
 */

/** A failed sign-in as amazon-cognito-identity-js reports it: Cognito's error code and message. */
export interface CognitoFailure {
  code: string;
  message: string;
}

/**
 * What the page says for a failed sign-in. Cognito's own messages are terse and sometimes technical; these say
 * what happened and what to do. Unknown errors keep Cognito's message, so nothing is hidden.
 */
export function signInErrorMessage(f: CognitoFailure): string {
  const m = f.message;
  switch (f.code) {
    case "NotAuthorizedException":
      if (/disabled/i.test(m)) {
        return "Your account is disabled, so you can't sign in. If your workspace was suspended, access comes back once the billing issue is resolved; otherwise ask your workspace admin.";
      }
      if (/temporary password has expired/i.test(m)) {
        return "Your temporary password has expired. Ask Embark support to send you a new invitation.";
      }
      if (/session/i.test(m)) return "Your sign-in took too long and has expired. Please sign in again.";
      return "That email and password don't match. Check both and try again.";
    case "UserNotFoundException":
      return "That email and password don't match. Check both and try again.";
    case "InvalidPasswordException":
      return `Choose a different password: ${m.replace(/^Password does not conform to policy: /, "")}.`;
    case "PasswordResetRequiredException":
      return "You need to reset your password before you can sign in. Ask your workspace admin for help.";
    case "UserLambdaValidationException":
      return /suspended/i.test(m)
        ? "This workspace is suspended because of a billing issue, so nobody can sign in to it right now."
        : /closed|offboarded/i.test(m)
          ? "This workspace has been closed."
          : `Sign-in was refused: ${m}`;
    case "TooManyRequestsException":
    case "LimitExceededException":
      return "Too many attempts. Wait a minute, then try again.";
    case "NetworkError":
      return "We can't reach the sign-in service. Check your connection and try again.";
    default:
      return `Sign-in failed: ${m || f.code}`;
  }
}

/** The payload of a JWT (not verified: the page only shows what Cognito put in it). */
export function claimsOf(jwt: string): Record<string, unknown> {
  const part = jwt.split(".")[1] ?? "";
  const base64 = part
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(part.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

/** Claims as rows to show, tenant claims first, times as ISO dates. */
export function claimRows(claims: Record<string, unknown>): Array<[string, string]> {
  const time = new Set(["exp", "iat", "auth_time"]);
  return Object.entries(claims)
    .sort(
      ([a], [b]) => Number(!a.startsWith("tenant_")) - Number(!b.startsWith("tenant_")) || a.localeCompare(b),
    )
    .map(([k, v]) => [
      k,
      time.has(k) && typeof v === "number"
        ? new Date(v * 1000).toISOString()
        : typeof v === "string"
          ? v
          : JSON.stringify(v),
    ]);
}

/** The API's base path: the page is served at `<base>/login` (any stage prefix included). */
export function apiBaseOf(pathname: string): string {
  return pathname.replace(/\/login\/?$/, "").replace(/\/+$/, "");
}

/** What GET /tenants/{slug}/sign-in answers: the server's own type. */
export type { SignInConfig } from "../../../core/tenant/sign-in.js";
