/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The signup page's script: the entry scripts/build-web.ts bundles into the page (runs in the browser).
 * Progressive: the page is server-rendered (web/signup/page.ts); this adds the plan cards, the live checks
 * and the submit (form.ts), then the progress view (progress.ts). `?tenant=<id>` reopens a signup's progress.
 */
import { initForm } from "./form.js";
import { startProgress } from "./progress.js";

const resumeId = new URLSearchParams(location.search).get("tenant");
if (resumeId) startProgress(resumeId);
else
  initForm((tenantId) => {
    // From now on the address reopens this progress view (a reload, a shared link).
    history.replaceState(null, "", `${location.pathname}?tenant=${encodeURIComponent(tenantId)}`);
    startProgress(tenantId);
  });
