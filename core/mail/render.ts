import { TemplateError } from "./errors.js";

/** A template: the same three parts as the email it renders to, with `{{placeholders}}`. */
export type EmailTemplate = { subject: string; text: string; html: string };

/** `{{name}}` or `{{ name }}`. */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export type RenderedEmail = { subject: string; text: string; html: string };

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Placeholder names a template uses (subject, text and html), in first-use order. Throws on malformed ones. */
export function placeholdersOf(tpl: EmailTemplate): string[] {
  const names = new Set<string>();
  for (const part of ["subject", "text", "html"] as const) {
    checkWellFormed(tpl[part], part);
    for (const m of tpl[part].matchAll(PLACEHOLDER)) names.add(m[1] as string);
  }
  return [...names];
}

/**
 * Fills `{{name}}` placeholders. Templates are operator-editable, so an unknown or malformed
 * placeholder throws rather than sending a half-filled email.
 */
export function renderTemplate(tpl: EmailTemplate, vars: Record<string, string>): RenderedEmail {
  const fill = (part: keyof EmailTemplate, encode: (v: string) => string): string => {
    checkWellFormed(tpl[part], part);
    return tpl[part].replace(PLACEHOLDER, (_, name: string) => {
      if (!Object.hasOwn(vars, name) || typeof vars[name] !== "string") {
        throw new TemplateError(`Unknown placeholder {{${name}}} in the email ${part}`);
      }
      return encode(vars[name]);
    });
  };
  return {
    // CR/LF in a subject would let a value add mail headers.
    subject: fill("subject", (v) => v)
      .replace(/[\r\n]+/g, " ")
      .trim(),
    text: fill("text", (v) => v),
    html: fill("html", escapeHtml),
  };
}

function checkWellFormed(source: string, part: string): void {
  const leftover = source.replace(PLACEHOLDER, "");
  const at = leftover.indexOf("{{");
  if (at >= 0) {
    const snippet = leftover.slice(at, at + 30);
    throw new TemplateError(`Malformed placeholder near ${JSON.stringify(snippet)} in the email ${part}`);
  }
}
