/** Mail: what the local SES accepted (local only: AWS keeps no copy of sent mail). */
import { readMail } from "../../read/mail.js";
import { type ConsoleRequest, type ConsoleResponse, NotFound } from "../context.js";
import { html } from "../html.js";
import { empty, page, when } from "../layout.js";

export async function mailList(req: ConsoleRequest): Promise<ConsoleResponse> {
  const q = (req.url.searchParams.get("q") ?? "").trim().toLowerCase();
  const all = await readMail(req.edgeUrl);
  const mail = q ? all.filter((m) => [m.subject, ...m.to].some((v) => v.toLowerCase().includes(q))) : all;
  const body = html`
<h1>Mail</h1>
<form class="filters" method="get" action="/console/mail" role="search">
  <label>Search <input type="search" name="q" value="${q}" placeholder="Recipient or subject"></label>
  <button type="submit">Filter</button>
</form>
<p class="muted">${mail.length} message${mail.length === 1 ? "" : "s"} the local SES accepted (kept in memory until the local cloud stops).</p>
<div class="table-wrap">${
    mail.length === 0
      ? empty("No mail yet.")
      : html`<table><thead><tr><th scope="col">Subject</th><th scope="col">To</th><th scope="col">From</th><th scope="col">Sent</th></tr></thead><tbody>
${mail.map((m) => html`<tr><td><a href="/console/mail/${encodeURIComponent(m.messageId)}">${m.subject || "(no subject)"}</a></td><td>${m.to.join(", ")}</td><td>${m.from}</td><td>${when(m.at)}</td></tr>`)}
</tbody></table>`
  }</div>`;
  return { status: 200, html: page({ title: "Mail", section: "mail", body }) };
}

export async function mailPage(req: ConsoleRequest, messageId: string): Promise<ConsoleResponse> {
  const m = (await readMail(req.edgeUrl)).find((x) => x.messageId === messageId);
  if (!m) throw new NotFound(`No message ${messageId} in the local SES`);
  const body = html`
<p class="crumbs"><a href="/console/mail">Mail</a> /</p>
<h1>${m.subject || "(no subject)"}</h1>
<section class="card"><dl class="facts">
  <dt>From</dt><dd>${m.from}</dd>
  <dt>To</dt><dd>${m.to.join(", ")}</dd>
  ${m.cc.length ? html`<dt>Cc</dt><dd>${m.cc.join(", ")}</dd>` : ""}
  <dt>Sent</dt><dd>${when(m.at)}</dd>
  <dt>Message id</dt><dd class="mono">${m.messageId}</dd>
</dl></section>
${
  m.html
    ? html`<h2>HTML body</h2>
<iframe class="mail-frame" title="HTML body of the email" sandbox srcdoc="${m.html}"></iframe>`
    : ""
}
${m.text ? html`<h2>Text body</h2><pre class="card mono">${m.text}</pre>` : ""}`;
  return { status: 200, html: page({ title: m.subject || "Mail", section: "mail", body }) };
}
