import { describe, expect, it } from "vitest";
import { TemplateError } from "../../../core/mail/errors.js";
import { escapeHtml, placeholdersOf, renderTemplate } from "../../../core/mail/render.js";

const tpl = {
  subject: "Welcome, {{companyName}}!",
  text: "Hi {{ companyName }}, sign in at {{loginUrl}}.",
  html: '<p>Hi {{companyName}}, <a href="{{loginUrl}}">sign in</a>.</p><style>@media{.x{width:1px}}</style>',
};

describe("renderTemplate", () => {
  it("fills placeholders, with or without inner spaces", () => {
    const out = renderTemplate(tpl, { companyName: "Acme", loginUrl: "https://app.example/login" });
    expect(out).toEqual({
      subject: "Welcome, Acme!",
      text: "Hi Acme, sign in at https://app.example/login.",
      html: '<p>Hi Acme, <a href="https://app.example/login">sign in</a>.</p><style>@media{.x{width:1px}}</style>',
    });
  });

  it("escapes values in html only", () => {
    const evil = `<script>alert("x")</script> & 'co'`;
    const out = renderTemplate(tpl, { companyName: evil, loginUrl: 'x" onclick="y' });
    expect(out.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;");
    expect(out.html).toContain('href="x&quot; onclick=&quot;y"');
    expect(out.html).not.toContain("<script>");
    expect(out.text).toContain(evil);
  });

  it("strips CR/LF from the subject (header injection)", () => {
    const out = renderTemplate(tpl, { companyName: "Acme\r\nBcc: victim@example.com\n", loginUrl: "u" });
    expect(out.subject).toBe("Welcome, Acme Bcc: victim@example.com !");
    expect(out.subject).not.toMatch(/[\r\n]/);
    expect(out.text).toContain("Acme\r\nBcc");
  });

  it("throws on an unknown placeholder, naming it and the part", () => {
    expect(() => renderTemplate(tpl, { companyName: "Acme" })).toThrow(
      new TemplateError("Unknown placeholder {{loginUrl}} in the email text"),
    );
    // Object prototype keys are not variables.
    expect(() =>
      renderTemplate({ subject: "{{constructor}}", text: "t", html: "h" }, { companyName: "x" }),
    ).toThrow(/Unknown placeholder \{\{constructor\}\} in the email subject/);
  });

  it("throws on malformed placeholders", () => {
    expect(() => renderTemplate({ subject: "s", text: "Hi {{company name}}", html: "h" }, {})).toThrow(
      /Malformed placeholder near "\{\{company name\}\}" in the email text/,
    );
    expect(() => renderTemplate({ subject: "s", text: "t", html: "Hi {{name" }, { name: "x" })).toThrow(
      TemplateError,
    );
  });

  it("inserts values literally (no $& replacement patterns, no re-expansion)", () => {
    const out = renderTemplate(
      { subject: "{{a}}", text: "{{a}} {{b}}", html: "{{a}}" },
      { a: "$& $1 {{b}}", b: "B" },
    );
    expect(out.text).toBe("$& $1 {{b}} B");
    expect(out.subject).toBe("$& $1 {{b}}");
  });
});

describe("escapeHtml and placeholdersOf", () => {
  it("escapes the five characters", () => {
    expect(escapeHtml(`&<>"'`)).toBe("&amp;&lt;&gt;&quot;&#39;");
    expect(escapeHtml("plain")).toBe("plain");
  });
  it("lists placeholders once, in order", () => {
    expect(placeholdersOf(tpl)).toEqual(["companyName", "loginUrl"]);
  });
});
