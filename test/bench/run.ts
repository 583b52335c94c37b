/**
 * `npm run bench`: startup time and memory of `npm start`, time from POST /signups to an ACTIVE tenant, and
 * the admin's sign-ins (SRP with amazon-cognito-identity-js, as the sign-in page does; the claims trigger runs).
 * Prints numbers; asserts nothing (timings belong here, not in tests).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { startLocalCloud } from "../../local/cloud.js";
import { mountEmbark } from "../../local/embark/mount.js";
import { startLocalMain } from "../support/npm-start.js";
import { signIn } from "../support/srp-sign-in.js";

const STARTS = Number(process.env.BENCH_STARTS ?? 5);
const SIGNUPS = Number(process.env.BENCH_SIGNUPS ?? 20);
const SIGN_INS = Math.min(SIGNUPS, Number(process.env.BENCH_SIGN_INS ?? 10));

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
  return { n: s.length, min: s[0], median: at(0.5), p95: at(0.95), max: s[s.length - 1] };
}

/** Runs `local/main.ts --fresh` in a scratch dir and reads the "ready in N ms (M MB RSS)" banner. */
async function measureStart(): Promise<{ readyMs: number; rssMb: number; wallMs: number }> {
  const cwd = await mkdtemp(join(tmpdir(), "embark-bench-"));
  const t0 = performance.now();
  const started = startLocalMain(cwd, { POWERTOOLS_LOG_LEVEL: "WARN" });
  const banner = /ready in (\d+) ms \((\d+) MB RSS\)/;
  if (!(await started.waitForOutput(banner, Number.POSITIVE_INFINITY))) {
    throw new Error(`npm start exited: ${started.output()}`);
  }
  const wallMs = performance.now() - t0;
  const [, ready, rss] = banner.exec(started.output()) ?? [];
  const { child, exited } = started;
  child.kill("SIGINT");
  await exited;
  await rm(cwd, { recursive: true, force: true });
  return { readyMs: Number(ready), rssMb: Number(rss), wallMs };
}

interface SignInTimes {
  /** Temporary password → NEW_PASSWORD_REQUIRED → new password → tokens. */
  first: number[];
  /** The new password → tokens. */
  again: number[];
}

/** The first `SIGN_INS` tenants' admins sign in: first with the invitation's password, then again. */
async function measureSignIns(edge: string, web: string, sesMessages: string): Promise<SignInTimes> {
  const out: SignInTimes = { first: [], again: [] };
  const store = (await (await fetch(sesMessages)).json()) as {
    emails: Array<{ subject?: string; destination?: { to?: string[] }; body?: { html?: string } }>;
  };
  for (let i = 0; i < SIGN_INS; i++) {
    const email = `ops${i}@bench.test`;
    const invitation = store.emails.find(
      (m) => m.destination?.to?.includes(email) && /sign-in for/.test(m.subject ?? ""),
    );
    const temporary = /Temporary password: <strong>([^<]+)<\/strong>/.exec(invitation?.body?.html ?? "")?.[1];
    const t = (await (await fetch(`${web}/tenants/bench-co-${i}/sign-in`)).json()) as {
      userPoolId: string;
      clientId: string;
    };
    if (!temporary) throw new Error(`no invitation for ${email}`);
    let t0 = performance.now();
    const challenged = await signIn(edge, t, email, temporary);
    if (challenged.kind !== "newPasswordRequired") throw new Error(`${email}: ${JSON.stringify(challenged)}`);
    await challenged.complete("Bench-Password-2026!");
    out.first.push(performance.now() - t0);
    t0 = performance.now();
    const again = await signIn(edge, t, email, "Bench-Password-2026!");
    if (again.kind !== "signedIn") throw new Error(`${email}: ${JSON.stringify(again)}`);
    out.again.push(performance.now() - t0);
  }
  return out;
}

async function measureOnboarding(): Promise<{ times: number[]; rssMb: number; signIns: SignInTimes }> {
  const stateDir = await mkdtemp(join(tmpdir(), "embark-bench-cloud-"));
  process.env.POWERTOOLS_LOG_LEVEL = "WARN";
  const cloud = await startLocalCloud({ stateDir, edgePort: 0, webPort: 0, kubePort: 0, wire: mountEmbark });
  const times: number[] = [];
  try {
    for (let i = 0; i < SIGNUPS; i++) {
      const t0 = performance.now();
      const res = await fetch(`${cloud.endpoints.web}/signups`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          companyName: `Bench Co ${i}`,
          adminEmail: `ops${i}@bench.test`,
          plan: "standard",
        }),
      });
      const { tenantId } = (await res.json()) as { tenantId: string };
      for (;;) {
        const view = (await (await fetch(`${cloud.endpoints.web}/tenants/${tenantId}`)).json()) as {
          status: string;
        };
        if (view.status === "ACTIVE") break;
        if (view.status === "FAILED") throw new Error(`tenant ${tenantId} FAILED`);
        await sleep(10);
      }
      times.push(performance.now() - t0);
    }
    const rssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
    const e = cloud.endpoints;
    return { times, rssMb, signIns: await measureSignIns(e.edge, e.web, e.sesMessages) };
  } finally {
    await cloud.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

const starts = [];
for (let i = 0; i < STARTS; i++) starts.push(await measureStart());
const round = (o: Record<string, number | undefined>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v === undefined ? v : Math.round(v)]));
console.log(`npm start, fresh state, ${STARTS} runs`);
console.log("  ready (ms, in-process timer):", round(stats(starts.map((s) => s.readyMs))));
console.log("  spawn → banner (ms, incl. node + tsx):", round(stats(starts.map((s) => s.wallMs))));
console.log("  RSS at ready (MB):", round(stats(starts.map((s) => s.rssMb))));

const onboarding = await measureOnboarding();
console.log(`POST /signups → ACTIVE, standard plan, ${SIGNUPS} tenants one after another`);
console.log("  ms:", round(stats(onboarding.times)));
console.log(`  RSS after ${SIGNUPS} tenants (MB): ${onboarding.rssMb}`);
console.log(`Admin sign-in (SRP, amazon-cognito-identity-js, claims trigger), ${SIGN_INS} tenants`);
console.log(
  "  first (temporary password → new password → tokens), ms:",
  round(stats(onboarding.signIns.first)),
);
console.log("  again (password → tokens), ms:", round(stats(onboarding.signIns.again)));
process.exit(0);
