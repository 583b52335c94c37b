/** Tenants: a searchable list, and one tenant's record, resources, executions and the emails sent to it. */
import { findTenant } from "../../../core/tenant/lookup.js";
import { stepLabel, type Tenant } from "../../../core/tenant/model.js";
import { TENANT_STATUSES } from "../../../core/tenant/status.js";
import { listExecutionsOf, listStateMachines, ofTenant } from "../../read/executions.js";
import { readMail, sentTo } from "../../read/mail.js";
import { failingStep, onboardingSteps, reconcileEntries, resourceFacts } from "../../read/tenants.js";
import {
  type ConsoleRequest,
  type ConsoleResponse,
  executionHref,
  flashOf,
  MAX_EXECUTIONS_PER_MACHINE,
  NotFound,
} from "../context.js";
import { html } from "../html.js";
import { badge, duration, empty, type Flash, filterSelect, jsonBlock, page, when } from "../layout.js";

export async function tenantList(req: ConsoleRequest): Promise<ConsoleResponse> {
  const q = (req.url.searchParams.get("q") ?? "").trim();
  const statusParam = req.url.searchParams.get("status") ?? "";
  const status = (TENANT_STATUSES as readonly string[]).includes(statusParam)
    ? (statusParam as Tenant["status"])
    : undefined;
  const all = await req.tenants.list(status ? { status } : {});
  const needle = q.toLowerCase();
  const tenants = needle
    ? all.filter((t) =>
        [t.tenantId, t.slug, t.companyName, t.adminEmail, t.plan].some((v) =>
          v.toLowerCase().includes(needle),
        ),
      )
    : all;

  const body = html`
<h1>Tenants</h1>
<form class="filters" method="get" action="/console/tenants" role="search">
  <label>Search <input type="search" name="q" value="${q}" placeholder="Company, slug, email or tenant id"></label>
  ${filterSelect("Status", "status", "Any status", TENANT_STATUSES, status)}
  <button type="submit">Filter</button>
</form>
<p class="muted">${tenants.length} of ${all.length} tenant${all.length === 1 ? "" : "s"}${status ? ` with status ${status}` : ""}.</p>
<div class="table-wrap">
${
  tenants.length === 0
    ? empty(
        q || status ? "No tenant matches this search." : "No tenants yet. Sign one up on the signup page.",
      )
    : html`<table>
  <thead><tr><th scope="col">Company</th><th scope="col">Slug</th><th scope="col">Status</th><th scope="col">Plan</th><th scope="col">Created</th><th scope="col">Failing step</th></tr></thead>
  <tbody>
  ${tenants.map((t) => {
    const failing = failingStep(t);
    return html`<tr>
    <td><a href="/console/tenants/${t.tenantId}">${t.companyName}</a><br><span class="muted">${t.adminEmail}</span></td>
    <td class="mono">${t.slug}</td>
    <td>${badge(t.status)}</td>
    <td>${t.plan}</td>
    <td>${when(t.createdAt)}</td>
    <td>${failing ? html`<strong>${failing.label}</strong><br><span class="muted">${failing.error}</span>` : html`<span class="muted">—</span>`}</td>
  </tr>`;
  })}
  </tbody></table>`
}
</div>`;
  return { status: 200, html: page({ title: "Tenants", section: "tenants", body }) };
}

export async function tenantPage(
  req: ConsoleRequest,
  idOrSlug: string,
  flash: Flash | undefined = flashOf(req.url),
  status = 200,
): Promise<ConsoleResponse> {
  const tenant = await findTenant(req.tenants, idOrSlug);
  if (!tenant) throw new NotFound(`No tenant with id or slug "${idOrSlug}"`);

  const [executions, mail] = await Promise.all([
    listStateMachines(req.aws.sfn).then((machines) =>
      listExecutionsOf(req.aws.sfn, machines, {
        max: MAX_EXECUTIONS_PER_MACHINE,
        keep: ofTenant(tenant.slug),
      }),
    ),
    readMail(req.edgeUrl).then((list) => sentTo(list, tenant.adminEmail)),
  ]);

  const body = html`
<p class="crumbs"><a href="/console/tenants">Tenants</a> /</p>
<h1>${tenant.companyName} ${badge(tenant.status)}</h1>
${
  tenant.failure
    ? html`<div class="failure" role="note"><strong>${stepLabel(tenant.failure.step)} failed</strong> (${tenant.failure.error}) at ${when(tenant.failure.at)}<br>${tenant.failure.cause}</div>`
    : ""
}
${
  tenant.status === "DEGRADED" && tenant.reconcile?.degraded
    ? html`<div class="failure" role="note"><strong>Degraded: ${tenant.reconcile.degraded.check}</strong> since ${when(tenant.reconcile.degraded.at)} (was ${tenant.reconcile.degraded.previousStatus})<br>${tenant.reconcile.degraded.reason}</div>`
    : ""
}
${
  tenant.status === "CANCELLED"
    ? html`<div class="failure" role="note"><strong>Cancelled and retained</strong> since ${when(tenant.cancelledAt)}: nobody can sign in, no pods run, nothing is deleted until the purge after ${when(tenant.purgeAfter)}.${tenant.export ? html`<br>Export: <span class="mono">${tenant.export.location}</span>` : html`<br>No export recorded yet.`}</div>`
    : ""
}
${
  tenant.status === "OFFBOARDED" && tenant.receipt
    ? html`<div class="failure" role="note"><strong>Purged</strong> ${when(tenant.receipt.at)}: ${tenant.receipt.deleted.join("; ")}.${tenant.export ? html`<br>The export is kept: <span class="mono">${tenant.export.location}</span> (SHA-256 <span class="mono">${tenant.export.sha256}</span>)` : ""}${tenant.receipt.slugReservedUntil ? html`<br>Slug reserved until ${when(tenant.receipt.slugReservedUntil)}.` : ""}</div>`
    : ""
}
${
  ["ACTIVE", "SUSPENDED", "FAILED", "DEGRADED"].includes(tenant.status)
    ? html`<form class="actions" method="post" action="/console/tenants/${encodeURIComponent(tenant.tenantId)}/cancel">
  <label>Type <span class="mono">${tenant.slug}</span> to confirm <input name="confirm" autocomplete="off" required></label>
  <button type="submit" class="danger">Cancel tenant</button>
  <span class="muted">Exports, disables sign-in and stops the pods; the purge follows after the plan's grace period.</span>
</form>`
    : tenant.status === "CANCELLED"
      ? html`<form class="actions" method="post" action="/console/tenants/${encodeURIComponent(tenant.tenantId)}/restore">
  <button type="submit">Restore tenant</button>
  <span class="muted">Before ${when(tenant.purgeAfter)}: the same pool, users and namespace come back.</span>
</form>`
      : ""
}
<div class="grid2">
  <section class="card" aria-labelledby="record-h">
    <h2 id="record-h">Record</h2>
    <dl class="facts">
      <dt>Tenant id</dt><dd class="mono">${tenant.tenantId}</dd>
      <dt>Slug</dt><dd class="mono">${tenant.slug}</dd>
      <dt>Admin email</dt><dd>${tenant.adminEmail}</dd>
      <dt>Plan</dt><dd>${tenant.plan}</dd>
      <dt>Status</dt><dd>${badge(tenant.status)}</dd>
      <dt>Created</dt><dd>${when(tenant.createdAt)}</dd>
      <dt>Updated</dt><dd>${when(tenant.updatedAt)}</dd>
      ${tenant.activatedAt ? html`<dt>Activated</dt><dd>${when(tenant.activatedAt)} (${duration(Date.parse(tenant.activatedAt) - Date.parse(tenant.createdAt))} after signup)</dd>` : ""}
      ${tenant.billing?.customerId ? html`<dt>Billing customer</dt><dd class="mono">${tenant.billing.customerId}</dd>` : ""}
      ${tenant.billing?.subscriptionId ? html`<dt>Subscription</dt><dd class="mono">${tenant.billing.subscriptionId}</dd>` : ""}
      ${tenant.cancelledAt ? html`<dt>Cancelled</dt><dd>${when(tenant.cancelledAt)}</dd>` : ""}
      ${tenant.status === "CANCELLED" && tenant.purgeAfter ? html`<dt>Purge after</dt><dd>${when(tenant.purgeAfter)}</dd>` : ""}
      ${tenant.export ? html`<dt>Export</dt><dd class="mono">${tenant.export.location}</dd>` : ""}
      <dt>Version</dt><dd>${tenant.version}</dd>
    </dl>
  </section>
  <section class="card" aria-labelledby="resources-h">
    <h2 id="resources-h">Resources</h2>
    <dl class="facts">
      ${resourceFacts(tenant).map(([label, value]) => html`<dt>${label}</dt><dd class="mono">${value ?? "—"}</dd>`)}
    </dl>
  </section>
</div>

<h2>Onboarding steps</h2>
<div class="table-wrap"><table>
  <thead><tr><th scope="col">Step</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last change</th><th scope="col">Last error</th></tr></thead>
  <tbody>
  ${onboardingSteps(tenant).map(
    (p) =>
      html`<tr><td>${p.label}</td><td>${p.status ? badge(p.status) : "—"}</td><td class="num">${p.attempts ?? 0}</td><td>${when(p.at)}</td><td>${p.error ? html`<strong>${p.error.name}</strong> ${p.error.message}` : html`<span class="muted">—</span>`}</td></tr>`,
  )}
  </tbody></table></div>

<h2>Reconciler</h2>
<div class="table-wrap">${
    reconcileEntries(tenant).length === 0
      ? empty("The reconciler has found nothing wrong with this tenant.")
      : html`<table><thead><tr><th scope="col">When</th><th scope="col">Check</th><th scope="col">Action</th><th scope="col">Outcome</th><th scope="col">What was wrong</th></tr></thead><tbody>
  ${reconcileEntries(tenant).map(
    (e) =>
      html`<tr><td>${when(e.at)}</td><td class="mono">${e.check}</td><td class="mono">${e.action}</td><td>${badge(e.outcome)}</td><td>${e.problem}${e.error ? html`<br><span class="muted">${e.error}</span>` : ""}</td></tr>`,
  )}</tbody></table>`
  }</div>

<h2>Executions</h2>
<div class="table-wrap">${
    executions.length === 0
      ? empty("No executions for this tenant.")
      : html`<table><thead><tr><th scope="col">Name</th><th scope="col">State machine</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Duration</th></tr></thead><tbody>
  ${executions.map(
    (e) =>
      html`<tr><td><a href="${executionHref(e.executionArn ?? "")}">${e.name}</a></td><td>${e.stateMachineArn?.split(":").at(-1)}</td><td>${badge(e.status)}${e.redriveCount ? html` <span class="muted">redriven ×${e.redriveCount}</span>` : ""}</td><td>${when(e.startDate)}</td><td>${duration(e.stopDate && e.startDate ? e.stopDate.getTime() - e.startDate.getTime() : undefined)}</td></tr>`,
  )}</tbody></table>`
  }</div>

<h2>Emails sent</h2>
<div class="table-wrap">${
    mail.length === 0
      ? empty(`No mail to ${tenant.adminEmail} in the local SES.`)
      : html`<table><thead><tr><th scope="col">Subject</th><th scope="col">To</th><th scope="col">Sent</th></tr></thead><tbody>
  ${mail.map((m) => html`<tr><td><a href="/console/mail/${encodeURIComponent(m.messageId)}">${m.subject || "(no subject)"}</a></td><td>${m.to.join(", ")}</td><td>${when(m.at)}</td></tr>`)}
  </tbody></table>`
  }</div>

<h2>Raw record</h2>
${jsonBlock("DynamoDB item (as TenantStore reads it)", JSON.stringify(tenant))}
`;
  return {
    status,
    html: page({ title: tenant.companyName, section: "tenants", body, ...(flash ? { flash } : {}) }),
  };
}
