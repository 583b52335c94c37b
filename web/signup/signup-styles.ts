/**
 * The signup page's stylesheet. Colours are chosen for WCAG AA contrast on their backgrounds (body text
 * #0f172a on #f8fafc ≈ 17:1, muted #475569 ≈ 7:1, primary #4338ca on white ≈ 8:1, error #b91c1c ≈ 6:1).
 */
export const SIGNUP_CSS = `
:root {
  --bg: #f8fafc; --panel: #ffffff; --text: #0f172a; --muted: #475569; --line: #cbd5e1; --line-soft: #e2e8f0;
  --primary: #4338ca; --primary-dark: #3730a3; --primary-soft: #eef2ff; --focus: #2563eb;
  --ok: #15803d; --ok-soft: #f0fdf4; --bad: #b91c1c; --bad-soft: #fef2f2; --warn: #b45309; --warn-soft: #fffbeb;
  --radius: 12px; --shadow: 0 1px 2px rgb(15 23 42 / 6%), 0 8px 24px rgb(15 23 42 / 6%);
  color-scheme: light;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
a { color: var(--primary); }
a:hover { color: var(--primary-dark); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
[hidden] { display: none !important; }
.visually-hidden {
  position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
.skip-link { position: absolute; left: 12px; top: -48px; background: var(--panel); padding: 8px 12px; border-radius: 8px; z-index: 10; }
.skip-link:focus { top: 12px; }

.site-header { border-bottom: 1px solid var(--line-soft); background: var(--panel); }
.site-header .inner, .site-footer .inner { max-width: 1120px; margin: 0 auto; padding: 14px 24px; display: flex; align-items: center; gap: 10px; }
.brand { font-weight: 700; font-size: 1.15rem; letter-spacing: -0.01em; color: var(--text); text-decoration: none; display: inline-flex; align-items: center; gap: 10px; }
.brand-mark { width: 28px; height: 28px; border-radius: 8px; background: linear-gradient(135deg, #4338ca, #0ea5e9); display: inline-block; }

.layout { max-width: 1120px; margin: 0 auto; padding: 40px 24px 56px; display: grid; grid-template-columns: minmax(0, 4fr) minmax(0, 7fr); gap: 48px; align-items: start; }
.intro h1 { font-size: 2.25rem; line-height: 1.15; letter-spacing: -0.02em; margin: 8px 0 16px; }
.intro .lead { color: var(--muted); font-size: 1.075rem; margin: 0 0 24px; }
.eyebrow { color: var(--primary); font-weight: 600; font-size: .85rem; letter-spacing: .06em; text-transform: uppercase; margin: 0; }
.benefits { list-style: none; padding: 0; margin: 0; display: grid; gap: 14px; }
.benefits li { display: grid; grid-template-columns: 28px 1fr; gap: 10px; color: var(--text); }
.benefits li::before { content: "✓"; width: 24px; height: 24px; border-radius: 50%; background: var(--primary-soft); color: var(--primary); font-weight: 700; display: grid; place-items: center; font-size: .8rem; margin-top: 1px; }
.benefits strong { display: block; }
.benefits span { color: var(--muted); font-size: .95rem; }

.panel { background: var(--panel); border: 1px solid var(--line-soft); border-radius: 16px; box-shadow: var(--shadow); padding: 32px; }
.panel h2 { margin: 0 0 4px; font-size: 1.5rem; letter-spacing: -0.01em; }
.panel h2:focus { outline: none; }
.panel .sub { margin: 0 0 24px; color: var(--muted); }

.field { margin: 0 0 20px; padding: 0; border: 0; min-width: 0; }
.field > label, .field > legend { display: block; font-weight: 600; margin-bottom: 6px; padding: 0; }
.optional { font-weight: 400; color: var(--muted); }
.hint { color: var(--muted); font-size: .9rem; margin: 0 0 8px; }
input[type="text"], input[type="email"] {
  width: 100%; font: inherit; color: var(--text); background: var(--panel); padding: 10px 12px;
  border: 1px solid #94a3b8; border-radius: 8px; min-height: 44px;
}
input[type="text"]:hover, input[type="email"]:hover { border-color: #64748b; }
input[type="text"]:focus-visible, input[type="email"]:focus-visible { outline: 3px solid var(--focus); outline-offset: 0; border-color: var(--focus); }
input[aria-invalid="true"] { border-color: var(--bad); background: var(--bad-soft); }
.error { color: var(--bad); font-size: .92rem; margin: 6px 0 0; font-weight: 500; }
.error::before { content: "⚠ "; }
.error-text { color: var(--bad); margin: 0 0 8px; }
.muted { color: var(--muted); margin: 0; }
.slug-status { font-size: .92rem; margin: 6px 0 0; }
.slug-status.ok { color: var(--ok); }
.slug-status.bad { color: var(--bad); }
.slug-status.neutral { color: var(--muted); }
.input-prefix { display: flex; align-items: stretch; }
.input-prefix span { display: flex; align-items: center; padding: 0 10px; border: 1px solid #94a3b8; border-right: 0; border-radius: 8px 0 0 8px; background: var(--bg); color: var(--muted); font-size: .95rem; white-space: nowrap; }
.input-prefix input[type="text"] { border-radius: 0 8px 8px 0; }

.plan-list { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 12px; }
.plan-list.invalid .plan-card { border-color: var(--bad); }
.plan-card { position: relative; border: 1px solid var(--line); border-radius: var(--radius); padding: 14px 14px 12px; background: var(--panel); transition: border-color .15s, box-shadow .15s; }
.plan-card:hover { border-color: #94a3b8; }
.plan-card input { position: absolute; top: 16px; right: 14px; width: 18px; height: 18px; margin: 0; accent-color: var(--primary); }
.plan-card label { display: block; cursor: pointer; padding-right: 26px; }
.plan-card label::after { content: ""; position: absolute; inset: 0; border-radius: var(--radius); }
.plan-card:has(input:checked) { border-color: var(--primary); box-shadow: 0 0 0 2px var(--primary); background: var(--primary-soft); }
.plan-card:has(input:focus-visible) { outline: 3px solid var(--focus); outline-offset: 2px; }
.plan-name { display: block; font-weight: 700; }
.plan-price { display: block; font-size: 1.35rem; font-weight: 700; margin: 2px 0 4px; letter-spacing: -0.01em; }
.plan-period { font-size: .85rem; font-weight: 500; color: var(--muted); }
.plan-desc { color: var(--muted); font-size: .88rem; margin: 0 0 8px; }
.plan-features { margin: 0; padding: 0; list-style: none; font-size: .88rem; display: grid; gap: 3px; }
.plan-features li { padding-left: 18px; position: relative; }
.plan-features li::before { content: "•"; position: absolute; left: 4px; color: var(--primary); font-weight: 700; }

.button { font: inherit; font-weight: 600; border-radius: 10px; border: 1px solid transparent; padding: 12px 20px; min-height: 48px; cursor: pointer; }
.button.primary { background: var(--primary); color: #fff; width: 100%; font-size: 1.05rem; }
.button.primary:hover:not(:disabled) { background: var(--primary-dark); }
.button.primary:disabled { background: #6366f1; cursor: progress; }
.button.secondary { background: var(--panel); color: var(--primary); border-color: var(--primary); }
.button.small { min-height: 36px; padding: 6px 14px; font-size: .92rem; }
.fineprint { color: var(--muted); font-size: .85rem; margin: 12px 0 0; text-align: center; }

.alert { border-radius: 10px; padding: 12px 14px; margin: 0 0 20px; border: 1px solid; }
.alert.error-box { background: var(--bad-soft); border-color: #fca5a5; color: #7f1d1d; }
.alert.notice { background: var(--warn-soft); border-color: #fcd34d; color: #78350f; }
.alert h3 { margin: 0 0 4px; font-size: 1rem; }
.alert p { margin: 0; }
.alert p + p { margin-top: 6px; }

.status-line { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 14px; margin: 0 0 22px; color: var(--muted); }
.pill { display: inline-block; font-weight: 600; font-size: .85rem; padding: 3px 10px; border-radius: 999px; background: var(--primary-soft); color: var(--primary-dark); }
.pill.active { background: #dcfce7; color: #14532d; }
.pill.failed { background: #fee2e2; color: #7f1d1d; }
.pill.suspended, .pill.offboarding, .pill.offboarded { background: #f1f5f9; color: #334155; }

.steps { list-style: none; margin: 0 0 20px; padding: 0; }
.step { display: grid; grid-template-columns: 32px minmax(0, 1fr) auto; gap: 12px; padding: 12px 0; border-top: 1px solid var(--line-soft); align-items: start; }
.step:first-child { border-top: 0; }
.step-icon { width: 26px; height: 26px; border-radius: 50%; border: 2px solid var(--line); display: grid; place-items: center; font-size: .8rem; font-weight: 700; margin-top: 1px; }
.step.running .step-icon, .step.retrying .step-icon { border-color: var(--primary); border-right-color: transparent; animation: spin .9s linear infinite; }
.step.retrying .step-icon { border-color: var(--warn); border-right-color: transparent; }
.step.done .step-icon { background: var(--ok); border-color: var(--ok); color: #fff; }
.step.done .step-icon::before { content: "✓"; }
.step.failed .step-icon { background: var(--bad); border-color: var(--bad); color: #fff; }
.step.failed .step-icon::before { content: "✕"; }
.step.skipped .step-icon { border-style: dashed; }
.step.skipped .step-icon::before { content: "–"; color: var(--muted); }
.step-label { display: block; font-weight: 600; }
.step.pending .step-label, .step.skipped .step-label { color: var(--muted); font-weight: 500; }
.step-state { display: block; font-size: .9rem; color: var(--muted); }
.step.running .step-state { color: var(--primary-dark); }
.step.retrying .step-state { color: var(--warn); font-weight: 600; }
.step.done .step-state { color: var(--ok); }
.step.failed .step-state { color: var(--bad); font-weight: 600; }
.step-detail { margin: 4px 0 0; font-size: .9rem; color: var(--text); background: var(--bad-soft); border-radius: 6px; padding: 6px 8px; overflow-wrap: anywhere; }
.step.retrying .step-detail { background: var(--warn-soft); }
.step-when { color: var(--muted); font-size: .85rem; font-variant-numeric: tabular-nums; white-space: nowrap; padding-top: 2px; }
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .step-icon { animation: none !important; } }

.ready { border: 1px solid #86efac; background: var(--ok-soft); border-radius: var(--radius); padding: 18px; }
.ready h3 { margin: 0 0 4px; color: #14532d; }
.ready p { margin: 0 0 12px; }
.ready dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 8px 16px; margin: 0 0 14px; }
.ready dt { color: var(--muted); font-size: .92rem; }
.ready dd { margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9rem; overflow-wrap: anywhere; }
.again { margin: 18px 0 0; font-size: .95rem; }

.site-footer { color: var(--muted); font-size: .85rem; }
.site-footer .inner { justify-content: center; padding-top: 0; padding-bottom: 32px; }

@media (max-width: 880px) {
  .layout { grid-template-columns: 1fr; gap: 24px; padding-top: 24px; }
  .intro h1 { font-size: 1.75rem; }
  .benefits { display: none; }
  .intro .lead { margin-bottom: 0; }
  /* Following progress on a small screen: the progress is what matters. */
  .progress-mode .intro { display: none; }
}
@media (max-width: 480px) {
  .layout { padding: 16px 12px 40px; }
  .site-header .inner { padding: 12px 16px; }
  .panel { padding: 20px 16px; border-radius: 14px; }
  .intro h1 { font-size: 1.5rem; }
  .intro .lead { font-size: 1rem; }
  .plan-list { grid-template-columns: 1fr; }
  .step { grid-template-columns: 28px minmax(0, 1fr) auto; gap: 10px; }
  .ready dl { grid-template-columns: 1fr; gap: 2px; }
  .ready dd { margin-bottom: 8px; }
}
`;
