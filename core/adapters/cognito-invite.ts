/**
 * The invitation Cognito itself emails to a tenant's admin (AdminCreateUser with DesiredDeliveryMediums EMAIL):
 * Cognito fills in `{username}` and the generated temporary password `{####}`, so no password passes through
 * our code, logs or state.
 */

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Company names come from a public signup form and Cognito sends the message as HTML: escape them. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Cognito subjects allow 140 characters; keep the company name from crowding out the rest. */
function shorten(text: string, max: number): string {
  // Braces are dropped so a company name can never smuggle in a `{####}` placeholder.
  const clean = text.replace(/[{}]/g, "").replace(/\s+/g, " ").trim();
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}

export function inviteMessageTemplate(companyName: string): { EmailSubject: string; EmailMessage: string } {
  const company = escapeHtml(shorten(companyName, 80));
  return {
    EmailSubject: `Your Embark administrator account for ${shorten(companyName, 80)}`,
    EmailMessage: [
      `<p>You were named the administrator of ${company} when it signed up for Embark, so an account has been created for you.</p>`,
      "<p>Sign in with this email address ({username}) and the temporary password <b>{####}</b>.",
      " You will be asked to choose your own password the first time you sign in; the temporary one expires after 7 days.</p>",
      "<p>If you did not expect this email, you can ignore it: nobody can use the account without this password.</p>",
    ].join(""),
  };
}
