/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The progress view: after the submit (or on `?tenant=<id>`), follows GET /tenants/{id} by polling (so it
 * works through API Gateway) and shows each step waiting, running, retrying, done, skipped or failed, the
 * elapsed time, and at the end the ready box with the sign-in URL. Step changes are announced to screen readers.
 */

import { loginUrlFor } from "../../../core/tenant/login-url.js";
import type { PublicTenantView } from "../../../core/tenant/model.js";
import { type ApiError, getJson } from "./api.js";
import { announce, byId, paragraph, sleep, span } from "./dom.js";
import { elapsedMs, formatDuration, pollDelayMs, STATUS_TEXT, stepView } from "./model.js";

/** Hides the form, shows the progress of tenant `tenantId` and keeps it current until it is ready. */
export function startProgress(tenantId: string): void {
  byId("signup-panel").hidden = true;
  byId("progress-panel").hidden = false;
  document.body.classList.add("progress-mode");
  const appUrl = byId("main").dataset.appUrl || location.origin;
  const title = byId("progress-title");
  const subtitle = byId("progress-subtitle");
  const pill = byId("progress-pill");
  const elapsed = byId("progress-elapsed");
  const list = byId("step-list");
  const failureBox = byId("failure-box");
  const readyBox = byId("ready-box");
  const notice = byId("progress-notice");
  title.focus();

  let tenant: PublicTenantView | undefined;
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

  function renderReady(t: PublicTenantView): void {
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
        const { status, body } = await getJson<PublicTenantView & ApiError>(
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
