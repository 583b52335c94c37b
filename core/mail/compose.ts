/**
 * Writes an email template once and gets its text and HTML parts from it. Paragraphs use a little markup:
 * `**bold**`, `[label](address)` (a link; in text "label: address", or the label alone when it is the address),
 * `[[label]](address)` (a button) and a line break inside a paragraph.
 */
import type { EmailTemplate } from "./render.js";

const LINK = /(\[\[?)([^\]]+)\]?\]\(([^)]+)\)/g;
const BUTTON_STYLE =
  "display:inline-block;padding:10px 18px;background:#2563eb;color:#fff;border-radius:6px;text-decoration:none";

export function composeEmail(subject: string, paragraphs: readonly string[]): EmailTemplate {
  return { subject, text: paragraphs.map(asText).join("\n\n"), html: page(paragraphs.map(asHtml)) };
}

function asText(p: string): string {
  return p
    .replace(/\*\*(.+?)\*\*/g, "$1")
    .replace(LINK, (_, _open: string, label: string, href: string) =>
      href.replace(/^mailto:/, "") === label ? label : `${label}: ${href}`,
    );
}

function asHtml(p: string): string {
  return p
    .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
    .replace(LINK, (_, open: string, label: string, href: string) =>
      open === "[["
        ? `<a href="${href}" style="${BUTTON_STYLE}">${label}</a>`
        : `<a href="${href}">${label}</a>`,
    )
    .replaceAll("\n", "<br>");
}

/** A plain, inline-styled HTML email body. */
function page(paragraphs: string[]): string {
  const body = paragraphs.map((p) => `<p style="margin:0 0 16px">${p}</p>`).join("\n    ");
  return `<!doctype html>
<html>
  <body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2933">
    ${body}
  </body>
</html>`;
}
