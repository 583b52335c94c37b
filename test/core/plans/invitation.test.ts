import { describe, expect, it } from "vitest";
import { DEFAULT_PLANS, parsePlan } from "../../../core/plans/catalog.js";
import { SHIPPED_INVITATION } from "../../../core/plans/defaults.js";
import { invitationFor } from "../../../core/plans/invitation.js";

const standard = DEFAULT_PLANS.find((p) => p.id === "standard")!;
const tenant = {
  tenantId: "9f0c6a57-2c5e-4a57-9a38-0a7e3f1d2b11",
  slug: "acme-corp",
  companyName: "Acme {####} <Corp>",
  adminEmail: "ops@acme.test",
};
const settings = { appUrl: "https://app.example.com/", supportEmail: "help@example.com" };

describe("the invitation Cognito sends", () => {
  it("is the plan's wording with Embark's values filled in and {####} left for Cognito", () => {
    const inv = invitationFor(tenant, standard, settings);
    expect(inv.subject).toBe("Your Embark sign-in for Acme #### <Corp>");
    expect(inv.html).toContain("<strong>Standard</strong> plan");
    expect(inv.html).toContain('href="https://app.example.com/login?tenant=acme-corp"');
    expect(inv.html).toContain("Email: ops@acme.test");
    // Exactly one code for Cognito: a company name cannot smuggle in a second one, and HTML is escaped.
    expect(inv.html.match(/\{####\}/g)).toHaveLength(1);
    expect(inv.html).toContain("Acme #### &lt;Corp&gt;");
  });

  it("falls back to the shipped wording for a plan stored before invitations existed", () => {
    const { invitation: _, ...olderEmails } = standard.emails;
    const older = parsePlan({ ...standard, emails: olderEmails });
    expect(older.emails.invitation).toBeUndefined();
    expect(invitationFor(tenant, older, settings).html).toContain("Temporary password:");
    expect(standard.emails.invitation).toEqual(SHIPPED_INVITATION);
  });

  it("refuses an invitation without the password code, too long a subject, or unknown placeholders", () => {
    const bad = (invitation: object) => () =>
      parsePlan({
        ...standard,
        emails: { ...standard.emails, invitation: { ...SHIPPED_INVITATION, ...invitation } },
      });
    expect(bad({ html: "<p>Welcome</p>" })).toThrow(/must contain \{####\}/);
    expect(bad({ subject: "x".repeat(141) })).toThrow(/longer than Cognito's 140/);
    expect(bad({ text: "{{password}}" })).toThrow(/unknown placeholder \{\{password\}\}/);
  });
});
