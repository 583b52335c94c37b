/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The signup form: its fields and their errors (shown on blur, cleared as soon as fixed), the plan cards
 * (plans.ts), the live workspace ID check (slug-check.ts) and the submit: POST /signups with one
 * Idempotency-Key per form fill, the server's refusals shown on their field.
 */
import type { SignupAccepted } from "../../../core/signup/submit.js";
import { type ApiError, getJson } from "./api.js";
import { announce, byId, sleep } from "./dom.js";
import {
  checkSignup,
  FIELDS,
  type Field,
  type FieldErrors,
  IdempotencyKeys,
  type SignupValues,
  signupBody,
} from "./model.js";
import { loadPlans } from "./plans.js";
import { SlugCheck } from "./slug-check.js";

type TextField = Exclude<Field, "plan">;

/** Starts the form; `onAccepted` gets the new tenant's id once POST /signups accepted it. */
export function initForm(onAccepted: (tenantId: string) => void): void {
  const form = byId<HTMLFormElement>("signup-form");
  const company = byId<HTMLInputElement>("companyName");
  const email = byId<HTMLInputElement>("adminEmail");
  const slug = byId<HTMLInputElement>("slug");
  const planList = byId("plan-list");
  const submit = byId<HTMLButtonElement>("submit");
  const submitLabel = submit.textContent ?? "Create workspace";
  const formAlert = byId("form-alert");
  const slugStatus = byId("slug-status");
  const keys = new IdempotencyKeys(newKey);
  const touched = new Set<Field>();
  let sending = false;

  const inputs: Record<TextField, HTMLInputElement> = { companyName: company, adminEmail: email, slug };

  const values = (): SignupValues => ({
    companyName: company.value,
    adminEmail: email.value,
    plan: (form.querySelector<HTMLInputElement>('input[name="plan"]:checked')?.value ?? "").trim(),
    slug: slug.value,
  });

  function setFieldError(field: Field, message: string | undefined): void {
    const box = byId(`${field}-error`);
    box.textContent = message ?? "";
    box.hidden = !message;
    if (field === "plan") {
      planList.classList.toggle("invalid", Boolean(message));
      for (const radio of planList.querySelectorAll("input"))
        radio.setAttribute("aria-invalid", String(Boolean(message)));
    } else {
      inputs[field].setAttribute("aria-invalid", String(Boolean(message)));
    }
    if (field === "slug" && message) slugStatus.hidden = true;
  }

  function showFormAlert(message: string | undefined): void {
    formAlert.textContent = message ?? "";
    formAlert.hidden = !message;
  }

  /** Re-checks one field after the person touched it; errors appear on blur and disappear as soon as fixed. */
  function recheck(field: Field, onlyClear: boolean): void {
    if (!touched.has(field)) return;
    const message = checkSignup(values())[field];
    const shown = !byId(`${field}-error`).hidden;
    if (!message || !onlyClear || shown) setFieldError(field, message);
  }

  for (const [field, input] of Object.entries(inputs) as [TextField, HTMLInputElement][]) {
    input.addEventListener("blur", () => {
      if (input.value.trim() !== "") touched.add(field);
      if (field !== "slug") recheck(field, false);
    });
    input.addEventListener("input", () => {
      if (field !== "slug") recheck(field, true);
    });
  }

  const slugs = new SlugCheck(slug, company, (message) => setFieldError("slug", message));
  slug.addEventListener("input", () => {
    touched.add("slug");
    slugs.schedule();
  });
  company.addEventListener("input", () => {
    if (!slug.value) slugs.schedule();
  });

  // ----------------------------------------------------------------------------------- submit (POST /signups)

  function showErrors(errors: FieldErrors): Field | undefined {
    for (const f of FIELDS) setFieldError(f, errors[f]);
    return FIELDS.find((f) => errors[f]);
  }

  function focusField(field: Field): void {
    if (field === "plan") {
      (
        planList.querySelector<HTMLInputElement>("input:checked") ??
        planList.querySelector<HTMLInputElement>("input")
      )?.focus();
    } else inputs[field].focus();
  }

  function setSending(on: boolean): void {
    sending = on;
    submit.disabled = on;
    submit.setAttribute("aria-busy", String(on));
    submit.textContent = on ? "Creating your workspace…" : submitLabel;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (sending) return;
    const v = values();
    for (const f of FIELDS) touched.add(f);
    const errors = checkSignup(v);
    const target = slugs.target();
    const refused = slugs.refusal(target.slug);
    if (!errors.slug && refused) errors.slug = refused;
    showFormAlert(undefined);
    const first = showErrors(errors);
    if (first) {
      const n = Object.keys(errors).length;
      announce(n === 1 ? "Please fix the highlighted field." : `Please fix the ${n} highlighted fields.`);
      focusField(first);
      return;
    }

    setSending(true);
    const body = JSON.stringify(signupBody(v));
    try {
      const res = await post(body, keys.keyFor(body));
      if (res.status === 202 && res.body.tenantId) {
        onAccepted(res.body.tenantId);
        return;
      }
      const err = res.body.error;
      const field = FIELDS.find((f) => f === err?.field);
      if (err?.message && field) {
        if (field === "slug" && err.code === "slug_taken") slugs.rememberTaken(target.slug, err.message);
        setFieldError(
          field,
          field === "slug" && !slug.value ? `${err.message}. Choose a workspace ID.` : err.message,
        );
        announce(err.message);
        focusField(field);
      } else if (err?.message) {
        showFormAlert(err.message);
      } else {
        showFormAlert(
          res.status >= 500
            ? "Something went wrong on our side. Please try again in a moment; you won't get a duplicate workspace."
            : `The signup was refused (HTTP ${res.status}).`,
        );
      }
    } catch {
      showFormAlert(
        "We couldn't reach Embark. Check your connection and try again; you won't get a duplicate workspace.",
      );
    } finally {
      setSending(false);
    }
  });

  void loadPlans(planList, () => {
    touched.add("plan");
    setFieldError("plan", undefined);
  });
}

/** A fresh Idempotency-Key (see IdempotencyKeys in model.ts for when one is made). */
function newKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** POST /signups. Same key, same body: a request still being processed answers 409 request_in_progress; ask again. */
async function post(body: string, key: string) {
  for (let attempt = 0; ; attempt++) {
    const res = await getJson<ApiError & Partial<SignupAccepted>>("/signups", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", "idempotency-key": key },
      body,
    });
    if (res.status === 409 && res.body.error?.code === "request_in_progress" && attempt < 10) {
      await sleep(500 + attempt * 250);
      continue;
    }
    return res;
  }
}
