/** The console's page shell (banner, navigation, stylesheet) and the formatters and form parts pages use. */
import { type Html, html, type Renderable, raw } from "./html.js";

export type Section = "tenants" | "executions" | "queues" | "mail";

const NAV: Array<[Section, string]> = [
  ["tenants", "Tenants"],
  ["executions", "Executions"],
  ["queues", "Queues"],
  ["mail", "Mail"],
];

/** A notice after an action (redrive started…), or why it was refused. */
export type Flash = { kind: "ok" | "error"; text: string };

export interface PageOptions {
  title: string;
  section: Section;
  body: Html;
  flash?: Flash;
  /** Reload every N seconds (a running execution, a moving DLQ). */
  refreshSeconds?: number;
}

export function page(opts: PageOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
${opts.refreshSeconds ? html`<meta http-equiv="refresh" content="${opts.refreshSeconds}">` : ""}
<title>${opts.title} · Embark operator console (local)</title>
<link rel="icon" href="data:,">
<style>${raw(CSS)}</style>
</head>
<body>
<div class="banner" role="note"><strong>Local operator console.</strong> No login: it runs only on this machine, against the local cloud. Never expose this port (it must stay on 127.0.0.1). On AWS, use the AWS consoles or <code>npm run ops</code>.</div>
<header class="top">
  <a class="brand" href="/console">Embark <span>operator console</span></a>
  <nav aria-label="Console sections"><ul>
    ${NAV.map(([id, label]) => html`<li><a href="/console/${id}"${id === opts.section ? raw(' aria-current="page"') : ""}>${label}</a></li>`)}
  </ul></nav>
</header>
<main id="main">
${opts.flash ? html`<div class="flash ${opts.flash.kind}" role="${opts.flash.kind === "error" ? "alert" : "status"}">${opts.flash.text}</div>` : ""}
${opts.body}
</main>
</body>
</html>
`.text;
}

// ---------------------------------------------------------------------------------------------- formatters

export function when(d: Date | string | undefined): Html {
  if (d === undefined) return html`<span class="muted">—</span>`;
  const date = typeof d === "string" ? new Date(d) : d;
  if (Number.isNaN(date.getTime())) return html`<span class="muted">—</span>`;
  const iso = date.toISOString();
  return html`<time datetime="${iso}" title="${iso}">${iso.slice(0, 19).replace("T", " ")}Z</time>`;
}

export function duration(ms: number | undefined): string {
  if (ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

const STATUS_CLASS: Record<string, string> = {
  ACTIVE: "ok",
  SUCCEEDED: "ok",
  done: "ok",
  PROVISIONING: "info",
  RUNNING: "info",
  running: "info",
  retrying: "warn",
  SUSPENDED: "warn",
  OFFBOARDING: "warn",
  PENDING_REDRIVE: "warn",
  FAILED: "bad",
  DEGRADED: "bad",
  repaired: "ok",
  flagged: "warn",
  TIMED_OUT: "bad",
  ABORTED: "bad",
  failed: "bad",
};

export function badge(status: string | undefined): Html {
  const s = status ?? "UNKNOWN";
  return html`<span class="badge ${STATUS_CLASS[s] ?? "neutral"}">${s}</span>`;
}

/** A JSON string (execution input/output) pretty-printed in a collapsible block. */
export function jsonBlock(label: string, text: string | undefined, open = false): Renderable {
  if (text === undefined) return "";
  let pretty = text;
  try {
    pretty = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Not JSON: show as is.
  }
  return html`<details class="json"${open ? raw(" open") : ""}><summary>${label}</summary><pre>${pretty}</pre></details>`;
}

/** A filter form's drop-down: `anyText` (no filter) first, then `values`, `chosen` selected. */
export function filterSelect(
  label: string,
  name: string,
  anyText: string,
  values: readonly string[],
  chosen: string | undefined,
): Html {
  return html`<label>${label} <select name="${name}">
    <option value="">${anyText}</option>
    ${values.map((v) => html`<option value="${v}"${v === chosen ? raw(" selected") : ""}>${v}</option>`)}
  </select></label>`;
}

export function empty(text: string): Html {
  return html`<p class="empty">${text}</p>`;
}

const CSS = `
:root { --bg:#f6f7f9; --panel:#fff; --text:#111827; --muted:#4b5563; --line:#d1d5db; --soft:#e5e7eb; --link:#1d4ed8;
  --ok:#166534; --ok-bg:#dcfce7; --bad:#991b1b; --bad-bg:#fee2e2; --warn:#92400e; --warn-bg:#fef3c7; --info:#1e40af; --info-bg:#dbeafe; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--text); font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif; }
a { color:var(--link); }
:focus-visible { outline:3px solid #2563eb; outline-offset:2px; }
code, pre, .mono { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:.86rem; }
.banner { background:#7c2d12; color:#fff; padding:8px 20px; font-size:.9rem; }
.banner code { background:rgb(255 255 255 / 15%); padding:1px 5px; border-radius:4px; }
.top { display:flex; flex-wrap:wrap; align-items:center; gap:8px 28px; padding:10px 20px; background:#111827; }
.brand { color:#fff; font-weight:700; text-decoration:none; font-size:1.05rem; }
.brand span { color:#cbd5e1; font-weight:500; }
.top nav ul { list-style:none; display:flex; flex-wrap:wrap; gap:4px; margin:0; padding:0; }
.top nav a { color:#e5e7eb; text-decoration:none; padding:6px 12px; border-radius:6px; display:inline-block; }
.top nav a:hover { background:#1f2937; color:#fff; }
.top nav a[aria-current="page"] { background:#374151; color:#fff; font-weight:600; }
main { padding:20px; max-width:1280px; margin:0 auto; }
h1 { font-size:1.5rem; margin:4px 0 12px; letter-spacing:-.01em; overflow-wrap:anywhere; }
h2 { font-size:1.1rem; margin:24px 0 10px; }
.crumbs { font-size:.9rem; color:var(--muted); margin:0; }
.card { background:var(--panel); border:1px solid var(--soft); border-radius:10px; padding:16px; margin:0 0 16px; }
.table-wrap { overflow-x:auto; background:var(--panel); border:1px solid var(--soft); border-radius:10px; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:9px 12px; border-bottom:1px solid var(--soft); vertical-align:top; }
th { font-size:.8rem; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); background:#f9fafb; white-space:nowrap; }
tbody tr:last-child td { border-bottom:0; }
tbody tr:hover { background:#f9fafb; }
td.nowrap { white-space:nowrap; }
th.num, td.num { text-align:right; font-variant-numeric:tabular-nums; }
.muted { color:var(--muted); }
.empty { color:var(--muted); padding:16px; margin:0; }
.badge { display:inline-block; padding:1px 8px; border-radius:999px; font-size:.78rem; font-weight:700; letter-spacing:.02em; white-space:nowrap; }
.badge.ok { background:var(--ok-bg); color:var(--ok); } .badge.bad { background:var(--bad-bg); color:var(--bad); }
.badge.warn { background:var(--warn-bg); color:var(--warn); } .badge.info { background:var(--info-bg); color:var(--info); }
.badge.neutral { background:var(--soft); color:#374151; }
.filters { display:flex; flex-wrap:wrap; gap:10px; align-items:end; margin:0 0 14px; }
.filters label { display:flex; flex-direction:column; font-size:.82rem; font-weight:600; color:var(--muted); gap:3px; }
input[type=search], select { font:inherit; padding:7px 10px; border:1px solid #9ca3af; border-radius:6px; background:#fff; color:var(--text); min-height:38px; }
input[type=search] { min-width:min(320px, 80vw); }
button, .button { font:inherit; font-weight:600; padding:7px 14px; border-radius:6px; border:1px solid #1d4ed8; background:#1d4ed8; color:#fff; cursor:pointer; min-height:38px; text-decoration:none; display:inline-block; }
button.secondary { background:#fff; color:#1d4ed8; }
button.danger { background:#b91c1c; border-color:#b91c1c; }
dl.facts { display:grid; grid-template-columns:max-content minmax(0,1fr); gap:6px 18px; margin:0; }
dl.facts dt { color:var(--muted); font-size:.88rem; }
dl.facts dd { margin:0; overflow-wrap:anywhere; }
.grid2 { display:grid; grid-template-columns:repeat(auto-fit,minmax(min(340px,100%),1fr)); gap:16px; }
.grid2 > * { min-width:0; }
.flash { padding:10px 14px; border-radius:8px; margin:0 0 16px; font-weight:500; }
.flash.ok { background:var(--ok-bg); color:var(--ok); } .flash.error { background:var(--bad-bg); color:var(--bad); }
.failure { background:var(--bad-bg); color:#7f1d1d; border-radius:8px; padding:10px 12px; margin:8px 0 14px; overflow-wrap:anywhere; }
.card > h2:first-child { margin-top:0; }
details.json summary { cursor:pointer; color:var(--link); font-size:.88rem; }
details.json pre { background:#0f172a; color:#e2e8f0; padding:10px 12px; border-radius:6px; overflow:auto; max-height:360px; margin:6px 0 0; }
.actions { display:flex; flex-wrap:wrap; gap:10px; align-items:center; margin:0 0 16px; }
.timeline { list-style:none; margin:0; padding:0; }
.timeline > li { position:relative; padding:10px 12px 10px 34px; border-left:2px solid var(--soft); margin-left:10px; }
.timeline > li::before { content:""; position:absolute; left:-8px; top:15px; width:14px; height:14px; border-radius:50%; background:#9ca3af; border:2px solid #fff; }
.timeline > li.succeeded::before { background:#16a34a; } .timeline > li.failed::before { background:#dc2626; }
.timeline > li.running::before { background:#2563eb; } .timeline > li.milestone::before { background:#111827; border-radius:3px; }
.timeline > li.depth-1 { margin-left:40px; } .timeline > li.depth-2 { margin-left:70px; } .timeline > li.depth-3 { margin-left:100px; }
.tl-head { display:flex; flex-wrap:wrap; gap:6px 12px; align-items:baseline; }
.tl-name { font-weight:700; }
.tl-meta { color:var(--muted); font-size:.86rem; }
.attempts { margin:6px 0 0; padding-left:18px; font-size:.88rem; }
.attempts li.failed { color:var(--bad); }
pre.card { white-space:pre-wrap; overflow-wrap:anywhere; }
.mail-frame { width:100%; height:480px; border:1px solid var(--soft); border-radius:8px; background:#fff; }
@media (max-width:640px) {
  main { padding:12px; }
  dl.facts { grid-template-columns:1fr; gap:0; } dl.facts dd { margin-bottom:8px; }
  .timeline > li.depth-1, .timeline > li.depth-2, .timeline > li.depth-3 { margin-left:24px; }
  .grid2 { grid-template-columns:minmax(0,1fr); }
}
`;
