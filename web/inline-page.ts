/**
 * What the signup and sign-in pages share: one HTML document with its script and stylesheet inlined, served
 * with a Content-Security-Policy that allows exactly those two (by hash) and the origins the script talks to.
 */
import { createHash } from "node:crypto";

export interface RenderedPage {
  html: string;
  headers: Record<string, string>;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/** The policy for pages inlining `script` and `style`, given where the script may connect (hashed once). */
export function inlinePagePolicy(script: string, style: string): (connectSrc: string) => string {
  const scriptHash = sha256(script);
  const styleHash = sha256(style);
  return (connectSrc) =>
    [
      "default-src 'none'",
      `script-src ${scriptHash}`,
      `style-src ${styleHash}`,
      `connect-src ${connectSrc}`,
      "img-src 'self' data:",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join("; ");
}

/** The response for a rendered page: never cached stale, never sniffed, no referrer beyond this origin. */
export function inlinePage(html: string, csp: string): RenderedPage {
  return {
    html,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-cache",
      "content-security-policy": csp,
      "x-content-type-options": "nosniff",
      "referrer-policy": "same-origin",
    },
  };
}
