/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The live workspace ID check of the signup form: while the person types, the slug (typed, or the one the
 * server would derive from the company name) is checked against the server's own rules in the browser, then
 * for availability with GET /slugs/{slug}. Refusals are remembered: the submit shows them without asking again.
 */
import { slugCandidate } from "../../../core/tenant/slug.js";
import type { SlugAvailability } from "../../../core/tenant/slug-availability.js";
import { getJson } from "./api.js";
import { byId } from "./dom.js";
import { COMPANY_NAME_MIN_LENGTH, checkDerivedSlug, checkSlug } from "./model.js";

/** The slug a signup would get: the typed one, or the one derived from the company name. */
export type SlugTarget = { slug: string; derived: boolean };

type Refusal = Extract<SlugAvailability, { available: false }>;

export class SlugCheck {
  private readonly status = byId("slug-status");
  /** Taken stays taken; "available" may change, so only refusals are remembered. */
  private readonly refusals = new Map<string, Refusal>();
  private timer: number | undefined;
  private abort: AbortController | undefined;

  constructor(
    private readonly slug: HTMLInputElement,
    private readonly company: HTMLInputElement,
    /** Shows (or, with undefined, clears) the error of the slug field. */
    private readonly setError: (message: string | undefined) => void,
  ) {}

  target(): SlugTarget {
    if (this.slug.value) return { slug: this.slug.value, derived: false };
    return { slug: slugCandidate(this.company.value.trim()), derived: true };
  }

  /** Why the server refused this slug earlier, if it did. */
  refusal(slug: string): string | undefined {
    return this.refusals.get(slug)?.message;
  }

  /** POST /signups answered slug_taken for this slug. */
  rememberTaken(slug: string, message: string): void {
    this.refusals.set(slug, { slug, available: false, reason: "taken", message });
  }

  /** Checks the current target now against the rules, and after a pause (300 ms) for availability. */
  schedule(): void {
    window.clearTimeout(this.timer);
    this.abort?.abort();
    const target = this.target();
    if (!target.derived) {
      const problem = checkSlug(target.slug);
      if (problem) {
        this.show("neutral", "");
        this.setError(problem);
        return;
      }
      this.setError(undefined);
    } else {
      this.setError(undefined);
      if (this.company.value.trim().length < COMPANY_NAME_MIN_LENGTH) {
        this.show("neutral", "");
        return;
      }
      const problem = checkDerivedSlug(this.company.value);
      if (problem) {
        this.show("bad", problem);
        return;
      }
    }
    const known = this.refusals.get(target.slug);
    if (known) {
      this.render(target, known);
      return;
    }
    this.show("neutral", `Checking “${target.slug}”…`);
    this.timer = window.setTimeout(async () => {
      const abort = new AbortController();
      this.abort = abort;
      try {
        const { status, body } = await getJson<SlugAvailability>(
          `/slugs/${encodeURIComponent(target.slug)}`,
          {
            signal: abort.signal,
          },
        );
        if (status !== 200 || typeof body.available !== "boolean") throw new Error(`status ${status}`);
        if (!body.available) this.refusals.set(target.slug, body);
        const now = this.target();
        if (now.slug === target.slug && now.derived === target.derived) this.render(target, body);
      } catch {
        if (abort.signal.aborted) return;
        this.show("neutral", "We couldn't check availability just now; we'll check when you submit.");
      }
    }, 300);
  }

  private render(target: SlugTarget, a: SlugAvailability): void {
    if (a.available) {
      const what = target.derived ? `Your workspace ID will be “${a.slug}”` : `“${a.slug}” is available`;
      this.show("ok", `${what} ✓`);
      if (!target.derived) this.setError(undefined);
    } else if (target.derived) {
      this.show("bad", `${a.message ?? `“${a.slug}” is not available`}. Choose a workspace ID below.`);
    } else {
      this.setError(a.message ?? `“${a.slug}” is not available`);
    }
  }

  private show(kind: "ok" | "bad" | "neutral", text: string): void {
    this.status.className = `slug-status ${kind}`;
    this.status.textContent = text;
    this.status.hidden = text === "";
  }
}
