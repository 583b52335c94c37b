/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Small DOM helpers of the signup page's script. Text from the API is always set as text, never as HTML.
 */

/** The page's element with this id; the page is server-rendered, so a missing one is a bug. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`signup page: #${id} is missing`);
  return el as T;
}

export function span(className: string, text: string): HTMLSpanElement {
  const el = document.createElement("span");
  el.className = className;
  el.textContent = text;
  return el;
}

export function paragraph(text: string, className: string): HTMLParagraphElement {
  const el = document.createElement("p");
  el.className = className;
  el.textContent = text;
  return el;
}

/** Says `text` to screen readers through the page's polite live region (#announcer). */
export function announce(text: string): void {
  const announcer = byId("announcer");
  // Re-setting the same text is not announced again; clear first.
  announcer.textContent = "";
  window.setTimeout(() => {
    announcer.textContent = text;
  }, 50);
}

export const sleep = (ms: number) => new Promise((r) => window.setTimeout(r, ms));
