/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The signup page's script (runs in the browser; bundled into the page by scripts/build-web.ts). Progressive:
 * the page is server-rendered, this adds the plan cards, live checks, the submit and the progress view.
 * Everything it shows from the API is set as text, never as HTML.
 */
import { loginUrlFor } from "../login-url.js";
import {
  checkDerivedSlug,
  checkSignup,
  checkSlug,
  elapsedMs,
  type Field,
  type FieldErrors,
  formatDuration,
  IdempotencyKeys,
  type PublicTenant,
  pollDelayMs,
  type SignupValues,
  STATUS_TEXT,
  signupBody,
  slugCandidate,
  stepView,
} from "./model.js";

interface PublicPlan {
  id: string;
  displayName: string;
  description: string;
  monthlyPriceUsd: number;
  features: string[];
  dedicatedResources: boolean;
}
type Availability = { slug: string; available: boolean; reason?: string; message?: string };
type ApiError = { error?: { code?: string; message?: string; field?: string } };

const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`signup page: #${id} is missing`);
  return el as T;
};

// The page is served at the API's root (any stage prefix included), so every call is relative to it.
const apiBase = location.pathname.replace(/\/+$/, "");
const appUrl = byId("main").dataset.appUrl || location.origin;

const formPanel = byId("signup-panel");
const progressPanel = byId("progress-panel");
const announcer = byId("announcer");

function announce(text: string): void {
  // Re-setting the same text is not announced again; clear first.
  announcer.textContent = "";
  window.setTimeout(() => {
    announcer.textContent = text;
  }, 50);
}

function newKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function getJson<T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await fetch(`${apiBase}${path}`, { headers: { accept: "application/json" }, ...init });
  let body: unknown = {};
  try {
    body = await res.json();
  } catch {
    // API Gateway's own errors are JSON too; anything else is reported by status.
  }
  return { status: res.status, body: body as T };
}

const sleep = (ms: number) => new Promise((r) => window.setTimeout(r, ms));

// ------------------------------------------------------------------------------------------------- the form

function initForm(): void {
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
  const availability = new Map<string, Availability>();
  const touched = new Set<Field>();
  let sending = false;

  const inputs: Record<Exclude<Field, "plan">, HTMLInputElement> = {
    companyName: company,
    adminEmail: email,
    slug,
  };

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

  for (const [field, input] of Object.entries(inputs) as [Exclude<Field, "plan">, HTMLInputElement][]) {
    input.addEventListener("blur", () => {
      if (input.value.trim() !== "") touched.add(field);
      if (field !== "slug") recheck(field, false);
    });
    input.addEventListener("input", () => {
      if (field !== "slug") recheck(field, true);
    });
  }

  // ------------------------------------------------------------------------------------- plans (GET /plans)

  async function loadPlans(): Promise<void> {
    planList.setAttribute("aria-busy", "true");
    planList.replaceChildren(paragraph("Loading plans…", "muted"));
    try {
      const { status, body } = await getJson<{ plans?: PublicPlan[] }>("/plans");
      if (status !== 200 || !Array.isArray(body.plans) || body.plans.length === 0)
        throw new Error(`status ${status}`);
      renderPlans(body.plans);
    } catch {
      const retry = document.createElement("button");
      retry.type = "button";
      retry.className = "button secondary small";
      retry.textContent = "Try again";
      retry.addEventListener("click", () => void loadPlans());
      planList.replaceChildren(paragraph("We couldn't load the plans.", "error-text"), retry);
    } finally {
      planList.removeAttribute("aria-busy");
    }
  }

  function renderPlans(plans: PublicPlan[]): void {
    const wanted = new URLSearchParams(location.search).get("plan");
    const preselect =
      plans.find((p) => p.id === wanted)?.id ?? plans.find((p) => p.id === "standard")?.id ?? plans[0]?.id;
    planList.replaceChildren(
      ...plans.map((plan) => {
        const card = document.createElement("div");
        card.className = "plan-card";
        const id = `plan-${plan.id}`;
        const radio = document.createElement("input");
        radio.type = "radio";
        radio.name = "plan";
        radio.value = plan.id;
        radio.id = id;
        radio.checked = plan.id === preselect;
        radio.setAttribute("aria-describedby", `${id}-details`);
        radio.addEventListener("change", () => {
          touched.add("plan");
          setFieldError("plan", undefined);
        });
        const label = document.createElement("label");
        label.htmlFor = id;
        const name = span("plan-name", plan.displayName);
        const price = span("plan-price", `$${plan.monthlyPriceUsd}`);
        price.append(span("plan-period", " / month"));
        label.append(name, price);
        const details = document.createElement("div");
        details.id = `${id}-details`;
        details.className = "plan-details";
        details.append(paragraph(plan.description, "plan-desc"));
        const list = document.createElement("ul");
        list.className = "plan-features";
        for (const f of plan.features) {
          const li = document.createElement("li");
          li.textContent = f;
          list.append(li);
        }
        details.append(list);
        card.append(radio, label, details);
        return card;
      }),
    );
  }

  // ------------------------------------------------------------------------ live slug check (GET /slugs/{s})

  let slugTimer: number | undefined;
  let slugAbort: AbortController | undefined;

  function slugTarget(): { slug: string; derived: boolean } {
    if (slug.value) return { slug: slug.value, derived: false };
    return { slug: slugCandidate(company.value.trim()), derived: true };
  }

  function showSlugStatus(kind: "ok" | "bad" | "neutral", text: string): void {
    slugStatus.className = `slug-status ${kind}`;
    slugStatus.textContent = text;
    slugStatus.hidden = text === "";
  }

  function renderAvailability(target: { slug: string; derived: boolean }, a: Availability): void {
    if (a.available) {
      const what = target.derived ? `Your workspace ID will be “${a.slug}”` : `“${a.slug}” is available`;
      showSlugStatus("ok", `${what} ✓`);
      if (!target.derived) setFieldError("slug", undefined);
    } else if (target.derived) {
      showSlugStatus("bad", `${a.message ?? `“${a.slug}” is not available`}. Choose a workspace ID below.`);
    } else {
      setFieldError("slug", a.message ?? `“${a.slug}” is not available`);
    }
  }

  function scheduleSlugCheck(): void {
    window.clearTimeout(slugTimer);
    slugAbort?.abort();
    const target = slugTarget();
    if (!target.derived) {
      const problem = checkSlug(target.slug);
      if (problem) {
        showSlugStatus("neutral", "");
        setFieldError("slug", problem);
        return;
      }
      setFieldError("slug", undefined);
    } else {
      setFieldError("slug", undefined);
      if (company.value.trim().length < 2) {
        showSlugStatus("neutral", "");
        return;
      }
      const problem = checkDerivedSlug(company.value);
      if (problem) {
        showSlugStatus("bad", problem);
        return;
      }
    }
    const known = availability.get(target.slug);
    if (known) {
      renderAvailability(target, known);
      return;
    }
    showSlugStatus("neutral", `Checking “${target.slug}”…`);
    slugTimer = window.setTimeout(async () => {
      const abort = new AbortController();
      slugAbort = abort;
      try {
        const { status, body } = await getJson<Availability>(`/slugs/${encodeURIComponent(target.slug)}`, {
          signal: abort.signal,
        });
        if (status !== 200 || typeof body.available !== "boolean") throw new Error(`status ${status}`);
        // Taken stays taken; "available" may change, so only refusals are remembered.
        if (!body.available) availability.set(target.slug, body);
        const now = slugTarget();
        if (now.slug === target.slug && now.derived === target.derived) renderAvailability(target, body);
      } catch {
        if (abort.signal.aborted) return;
        showSlugStatus("neutral", "We couldn't check availability just now; we'll check when you submit.");
      }
    }, 300);
  }

  slug.addEventListener("input", () => {
    touched.add("slug");
    scheduleSlugCheck();
  });
  company.addEventListener("input", () => {
    if (!slug.value) scheduleSlugCheck();
  });

  // ----------------------------------------------------------------------------------- submit (POST /signups)

  function showErrors(errors: FieldErrors): Field | undefined {
    const order: Field[] = ["companyName", "adminEmail", "plan", "slug"];
    for (const f of order) setFieldError(f, errors[f]);
    return order.find((f) => errors[f]);
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

  async function post(body: string, key: string) {
    // Same key, same body: a request still being processed answers 409 request_in_progress; ask again.
    for (let attempt = 0; ; attempt++) {
      const res = await getJson<ApiError & { tenantId?: string }>("/signups", {
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

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (sending) return;
    const v = values();
    for (const f of ["companyName", "adminEmail", "plan", "slug"] as Field[]) touched.add(f);
    const errors = checkSignup(v);
    const target = slugTarget();
    const known = availability.get(target.slug);
    if (!errors.slug && known && !known.available) errors.slug = known.message;
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
        history.replaceState(
          null,
          "",
          `${location.pathname}?tenant=${encodeURIComponent(res.body.tenantId)}`,
        );
        startProgress(res.body.tenantId);
        return;
      }
      const err = res.body.error;
      const field = err?.field as Field | undefined;
      if (err?.message && field && ["companyName", "adminEmail", "plan", "slug"].includes(field)) {
        if (field === "slug" && err.code === "slug_taken")
          availability.set(target.slug, { slug: target.slug, available: false, message: err.message });
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

  void loadPlans();
}

// ------------------------------------------------------------------------------------------ progress view

function startProgress(tenantId: string): void {
  formPanel.hidden = true;
  progressPanel.hidden = false;
  document.body.classList.add("progress-mode");
  const title = byId("progress-title");
  const subtitle = byId("progress-subtitle");
  const pill = byId("progress-pill");
  const elapsed = byId("progress-elapsed");
  const list = byId("step-list");
  const failureBox = byId("failure-box");
  const readyBox = byId("ready-box");
  const notice = byId("progress-notice");
  title.focus();

  let tenant: PublicTenant | undefined;
  const announced = new Map<string, string>();
  let lastStatus: string | undefined;
  let ticker: number | undefined;

  function render(now: number): void {
    if (!tenant) return;
    const t = tenant;
    title.textContent =
      t.status === "ACTIVE"
        ? `${t.companyName} is ready`
        : t.status === "FAILED"
          ? `Setup of ${t.companyName} stopped`
          : `Setting up ${t.companyName}`;
    subtitle.textContent = `Workspace ID ${t.slug} · ${t.plan.charAt(0).toUpperCase()}${t.plan.slice(1)} plan`;
    pill.textContent = STATUS_TEXT[t.status] ?? t.status;
    pill.className = `pill ${t.status.toLowerCase()}`;
    const took = formatDuration(elapsedMs(t, now));
    elapsed.textContent =
      t.status === "ACTIVE"
        ? `Ready in ${took}`
        : t.status === "FAILED"
          ? `Stopped after ${took}`
          : `Elapsed ${took}`;

    const items = t.steps.map((step) => {
      let li = list.querySelector<HTMLLIElement>(`li[data-step="${step.name}"]`);
      if (!li) {
        li = document.createElement("li");
        li.dataset.step = step.name;
        const icon = span("step-icon", "");
        icon.setAttribute("aria-hidden", "true");
        const body = document.createElement("div");
        body.className = "step-body";
        body.append(span("step-label", step.label), span("step-state", ""));
        const detail = paragraph("", "step-detail");
        body.append(detail);
        li.append(icon, body, span("step-when", ""));
      }
      const view = stepView(step, t, now);
      li.className = `step ${view.state}`;
      li.dataset.state = view.state;
      (li.querySelector(".step-state") as HTMLElement).textContent = view.text;
      const detail = li.querySelector(".step-detail") as HTMLElement;
      detail.textContent = view.detail ?? "";
      detail.hidden = !view.detail;
      (li.querySelector(".step-when") as HTMLElement).textContent = view.when ?? "";
      const key = `${step.status}:${step.attempts}`;
      if (announced.get(step.name) !== key) {
        if (announced.has(step.name) && step.status !== "pending") announce(`${step.label}: ${view.text}`);
        announced.set(step.name, key);
      }
      return li;
    });
    list.replaceChildren(...items);

    failureBox.hidden = t.status !== "FAILED";
    if (t.status === "FAILED") {
      const f = t.failure;
      byId("failure-step").textContent = f ? `Setup stopped at “${f.stepLabel}”` : "Setup stopped";
    }
    readyBox.hidden = t.status !== "ACTIVE";
    if (t.status === "ACTIVE") renderReady(t);
    if (lastStatus !== t.status) {
      if (lastStatus !== undefined || t.status !== "PROVISIONING") {
        announce(
          t.status === "ACTIVE"
            ? `${t.companyName} is ready.`
            : t.status === "FAILED"
              ? `Setup stopped: ${t.failure?.stepLabel ?? "a step"} failed.`
              : `Status: ${STATUS_TEXT[t.status] ?? t.status}.`,
        );
      }
      lastStatus = t.status;
    }
  }

  function renderReady(t: PublicTenant): void {
    const url = loginUrlFor(appUrl, t.slug);
    const link = byId<HTMLAnchorElement>("ready-login");
    link.href = url;
    link.textContent = url;
    byId("ready-slug").textContent = t.slug;
    byId("ready-namespace").textContent = t.resources.namespace ?? "—";
    byId("ready-pool").textContent = t.resources.userPoolId ?? "—";
    byId("ready-client").textContent = t.resources.userPoolClientId ?? "—";
  }

  async function poll(): Promise<void> {
    let failures = 0;
    for (;;) {
      try {
        const { status, body } = await getJson<PublicTenant & ApiError>(
          `/tenants/${encodeURIComponent(tenantId)}`,
        );
        if (status === 404) {
          notice.textContent = body.error?.message ?? "We couldn't find this signup.";
          notice.hidden = false;
          return;
        }
        if (status !== 200) throw new Error(`status ${status}`);
        failures = 0;
        notice.hidden = true;
        tenant = body;
        render(Date.now());
      } catch {
        failures += 1;
        if (failures >= 3) {
          notice.textContent = "Connection lost; still trying…";
          notice.hidden = false;
        }
      }
      const delay = tenant ? pollDelayMs(tenant.status, Date.now() - Date.parse(tenant.createdAt)) : 1000;
      if (delay === undefined) break;
      await sleep(failures > 0 ? Math.min(10_000, delay * 2 ** failures) : delay);
    }
    window.clearInterval(ticker);
  }

  ticker = window.setInterval(() => render(Date.now()), 1000);
  void poll();
}

// ------------------------------------------------------------------------------------------------- helpers

function span(className: string, text: string): HTMLSpanElement {
  const el = document.createElement("span");
  el.className = className;
  el.textContent = text;
  return el;
}

function paragraph(text: string, className: string): HTMLParagraphElement {
  const el = document.createElement("p");
  el.className = className;
  el.textContent = text;
  return el;
}

const resumeId = new URLSearchParams(location.search).get("tenant");
if (resumeId) startProgress(resumeId);
else initForm();
