/**
 * The soak: N tenants onboarded across every plan under a fault plan (every AWS and Kubernetes operation and every
 * step function hit by "succeeds but the caller never hears" at least once), billing events for a share of them
 * (shuffled, some twice), optionally the cloud SIGKILLed twice and restarted; then the reconciler, the audit
 * through the public APIs (audit.ts) and the secrets scan (secrets.ts). `npm run soak`; a short one in npm test.
 */
import { randomBytes } from "node:crypto";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import { localClientConfig } from "../../local/aws/client-config.js";
import type { Endpoints } from "../../local/cloud.js";
import type { FaultCounts } from "../../local/faults/decide.js";
import { readFaults, setFaults } from "../../local/faults/http.js";
import { uniformPlan } from "../../local/faults/plan.js";
import { CloudProcess } from "../support/cloud-process.js";
import {
  type AuditFinding,
  audit,
  listExecutions,
  readEmails,
  type StoredEmail,
  scanTable,
  workQueueDepth,
} from "./audit.js";
import { checkoutOf, http, planTenants, runId, type SoakTenant, shuffle, sign, sleep } from "./drive.js";
import { type SecretHit, scanForSecrets } from "./secrets.js";

export interface SoakOptions {
  tenants: number;
  faultRate: number;
  kill: boolean;
  /** Requests in flight at once. */
  concurrency?: number;
  log?: (line: string) => void;
  /** Keep the state directory (for a look afterwards). */
  keep?: boolean;
}

export interface SoakResult {
  line: string;
  ok: boolean;
  tenants: number;
  statuses: Record<string, number>;
  failed: Array<{ slug: string; reason?: string }>;
  /** Billing DLQ messages whose event was applied all the same (not lost; listed). */
  appliedDeadLetters: string[];
  faults: FaultCounts["byKind"] & { total: number };
  retries: { http: number; tasks: number };
  findings: AuditFinding[];
  secretHits: SecretHit[];
  secretsSearched: Record<string, number>;
  kills: number;
  seconds: number;
  duplicates: number;
  orphans: number;
  stuck: number;
  lost: number;
}

/** Every fault kind at `rate`, plus the guaranteed cases: each operation's first call and each function's first Task. */
export function soakPlan(rate: number) {
  const plan = uniformPlan(rate);
  return {
    ...plan,
    rules: plan.rules.map((r) => ({ ...r, lostResponseFirst: true })),
    delivery: { ...plan.delivery, crashAfterEffectFirst: true },
  };
}

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  // Embark on the test child (short Step Functions retries), on ports fixed for the run so it can be SIGKILLed
  // and started again; its output goes to a log file, which the secrets scan reads.
  const cloud = await CloudProcess.create({ program: "embark", samePorts: true, logFile: true });
  try {
    return await soak(opts, cloud);
  } finally {
    await cloud.stop();
    await cloud.dispose({ keep: opts.keep });
  }
}

async function soak(opts: SoakOptions, cloud: CloudProcess): Promise<SoakResult> {
  const started = Date.now();
  const log = opts.log ?? ((l: string) => console.log(l));
  const run = runId();
  const secrets = {
    webhookSecret: `whsec_${randomBytes(24).toString("base64url")}`,
    awsAccessKeyId: `AKIA${randomBytes(8).toString("hex").toUpperCase()}`,
    awsSecretAccessKey: randomBytes(30).toString("base64url"),
  };
  cloud.env = {
    EMBARK_STRIPE_WEBHOOK_SECRET: secrets.webhookSecret,
    AWS_ACCESS_KEY_ID: secrets.awsAccessKeyId,
    AWS_SECRET_ACCESS_KEY: secrets.awsSecretAccessKey,
    EMBARK_SIGNUP_LIMIT_PER_IP: "off",
    EMBARK_SIGNUP_LIMIT_PER_EMAIL_DOMAIN: "off",
    EMBARK_FAULTS: "",
    // A message a consumer failed on comes back in 15 s, not 3 minutes (6× a 30 s consumer timeout).
    EMBARK_VISIBILITY_TIMEOUT_SECONDS: "15",
    // Cancelled tenants are purged within the soak (cancel, export, purge schedule, offboard), not in 30 days.
    EMBARK_OFFBOARD_GRACE_SECONDS: "3",
  };
  let ep: Endpoints = await cloud.start({ timeoutMs: 120_000 });
  const plan = soakPlan(opts.faultRate);
  await setFaults(ep.edge, plan);
  log(
    `soak: cloud up (${cloud.dir}); ${opts.tenants} tenants, fault rate ${opts.faultRate}${opts.kill ? ", --kill" : ""}`,
  );

  // Faults counted by processes that were killed, and the mail they had accepted (both in memory).
  const faultTotals = new Map<string, number>();
  const addCounts = (c: FaultCounts) => {
    for (const [k, n] of Object.entries(c.byKind)) faultTotals.set(k, (faultTotals.get(k) ?? 0) + n);
  };
  const mail = new Map<string, StoredEmail>();
  const keepMail = (emails: StoredEmail[]) => {
    for (const e of emails) mail.set(e.messageId ?? JSON.stringify(e), e);
  };

  const web = http(() => ep.web);
  const tenants = planTenants(opts.tenants, run);
  const t0 = Math.floor(Date.now() / 1000) - 7200;
  let submitted = 0;
  let kills = 0;
  let restarting: Promise<void> | undefined;

  const killAndRestart = async () => {
    kills++;
    const before = await readFaults(ep.edge).catch(() => undefined);
    if (before) addCounts(before.counts);
    keepMail(await readEmails(ep.edge).catch(() => []));
    log(`soak: SIGKILL #${kills} after ${submitted} tenants submitted`);
    await cloud.kill();
    ep = await cloud.start({ timeoutMs: 120_000 });
    await setFaults(ep.edge, plan);
    log(`soak: cloud back after kill #${kills}`);
  };

  const webhook = async (event: { id: string }) => {
    const payload = JSON.stringify(event);
    // Stripe redelivers until it gets a 2xx.
    for (let attempt = 0; attempt < 20; attempt++) {
      const r = await web.send("POST", "/billing/webhook", payload, {
        "stripe-signature": sign(payload, secrets.webhookSecret),
      });
      if (r.status === 200) return;
      web.retries++;
      await sleep(500);
    }
    throw new Error(`webhook ${event.id} never accepted`);
  };

  const submit = async (t: SoakTenant) => {
    if (t.scenario === "signup") {
      const r = await web.send(
        "POST",
        "/signups",
        { companyName: t.companyName, adminEmail: t.adminEmail, plan: t.plan, slug: t.slug },
        { "idempotency-key": `soak-${run}-${t.index}` },
      );
      if (r.status !== 202) throw new Error(`signup ${t.slug}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
      t.tenantId = (r.json as { tenantId: string }).tenantId;
    } else {
      await webhook(checkoutOf(t, t0 + t.index));
      // Later events shuffled, some sent twice (Stripe's at-least-once).
      const sends = shuffle(t.events.flatMap((e) => (Math.random() < 0.5 ? [e, e] : [e])));
      for (const e of sends) {
        await sleep(Math.random() * 200);
        await webhook(e);
      }
    }
  };

  // Drive: a pool of workers over the tenants; with --kill, two SIGKILLs at 1/3 and 2/3 of the way.
  const queue = [...tenants];
  const concurrency = opts.concurrency ?? 6;
  const killAt = opts.kill ? [Math.floor(opts.tenants / 3), Math.floor((2 * opts.tenants) / 3)] : [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let t = queue.shift(); t; t = queue.shift()) {
        await submit(t);
        submitted++;
        if (killAt.length > 0 && submitted >= killAt[0]!) {
          killAt.shift();
          restarting = killAndRestart();
        }
        if (restarting) await restarting;
      }
    }),
  );
  log(`soak: all ${tenants.length} tenants submitted in ${Math.round((Date.now() - started) / 1000)} s`);

  // Settle: every tenant where its events asked, nothing running; then the faults stop and the reconciler runs.
  const settle = async (budgetMs: number) => {
    const until = Date.now() + budgetMs;
    let last = "";
    while (Date.now() < until) {
      const state = await progress(ep, tenants).catch((e) => `unreadable (${(e as Error).message})`);
      if (state !== last) log(`soak: ${state}`);
      last = state;
      if (state.startsWith("settled")) return;
      // Each look scans every tenant: often for a short soak, every 3 s for a long one.
      await sleep(Math.min(3000, 100 * opts.tenants));
    }
  };
  await settle(120_000 + opts.tenants * 1500);
  const final = await readFaults(ep.edge);
  addCounts(final.counts);
  await setFaults(ep.edge, {});
  const lambda = new LambdaClient({ ...localClientConfig(ep.edge), maxAttempts: 5 });
  for (let pass = 1; pass <= 2; pass++) {
    // Time compressed as for retries and grace periods: the reconciler leaves a tenant that made progress in the
    // last 15 minutes alone (staleAfterMinutes); here everything has settled, so whatever is stalled is stale.
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: "reconcile",
        Payload: JSON.stringify({ settings: { staleAfterMinutes: 0 } }),
      }),
    );
    const report = JSON.parse(new TextDecoder().decode(out.Payload)) as { actions?: unknown[] };
    log(
      `soak: reconcile pass ${pass}: ${out.FunctionError ?? "ok"}, ${report.actions?.length ?? "?"} action(s)`,
    );
    await settle(60_000);
  }

  // Audit through the public APIs, then the secrets scan.
  keepMail(await readEmails(ep.edge));
  const emails = [...mail.values()];
  const result = await audit(ep, tenants, emails);
  const { TableNames = [] } = await new DynamoDBClient(localClientConfig(ep.edge)).send(
    new ListTablesCommand({}),
  );
  const items = (
    await Promise.all(
      TableNames.filter((t) => t !== LOCAL_NAMES.table("tenants")).map((t) => scanTable(ep.edge, t)),
    )
  ).flat();
  await cloud.stop();
  const scan = await scanForSecrets({
    secrets,
    emails,
    histories: result.histories,
    items: [...result.items, ...items],
    queueMessages: result.queueMessages,
    logFile: cloud.logFile,
  });

  const count = (k: AuditFinding["kind"]) => result.findings.filter((f) => f.kind === k).length;
  const faults = Object.fromEntries(faultTotals) as FaultCounts["byKind"];
  const faultTotal = Object.entries(faults)
    .filter(([k]) => k !== "latency")
    .reduce((a, [, n]) => a + n, 0);
  const s = result.statuses;
  const r = {
    duplicates: count("duplicate"),
    orphans: count("orphan"),
    stuck: count("stuck"),
    lost: count("lost") + count("dlq"),
  };
  const seconds = Math.round((Date.now() - started) / 1000);
  const line =
    `soak: tenants=${opts.tenants} active=${s.ACTIVE ?? 0} suspended=${s.SUSPENDED ?? 0} ` +
    `offboarded=${s.OFFBOARDED ?? 0} failed=${result.failed.length} faults=${faultTotal} ` +
    `retries=${web.retries + result.taskRetries} duplicates=${r.duplicates} orphans=${r.orphans} ` +
    `stuck=${r.stuck} lost=${r.lost} secrets=${scan.hits.length} kills=${kills} time=${seconds}s`;
  const ok =
    r.duplicates + r.orphans + r.stuck + r.lost === 0 &&
    scan.hits.length === 0 &&
    result.failed.every((f) => f.reason);
  return {
    line,
    ok,
    tenants: opts.tenants,
    statuses: s,
    failed: result.failed,
    faults: { ...faults, total: faultTotal },
    retries: { http: web.retries, tasks: result.taskRetries },
    findings: result.findings,
    secretHits: scan.hits,
    appliedDeadLetters: result.appliedDeadLetters,
    secretsSearched: { ...scan.searched, ...scan.looked },
    kills,
    seconds,
    ...r,
  };
}

/** One line of progress; starts with "settled" once every tenant is where its events asked and nothing runs. */
async function progress(ep: Endpoints, tenants: SoakTenant[]): Promise<string> {
  const items = await scanTable(ep.edge, LOCAL_NAMES.table("tenants"));
  const bySlug = new Map(
    items.filter((i) => String(i.pk).startsWith("TENANT#")).map((i) => [String(i.slug), String(i.status)]),
  );
  const statuses: Record<string, number> = {};
  let there = 0;
  for (const t of tenants) {
    const st = bySlug.get(t.slug) ?? "MISSING";
    statuses[st] = (statuses[st] ?? 0) + 1;
    if (st === t.expected.status || st === "FAILED") there++;
  }
  const running = (await listExecutions(ep.edge)).filter((e) => e.status === "RUNNING").length;
  const queued = await workQueueDepth(ep.edge);
  const word = there === tenants.length && running === 0 && queued === 0 ? "settled" : "waiting";
  return `${word}: ${there}/${tenants.length} where asked ${JSON.stringify(statuses)}, ${running} running, ${queued} queued`;
}
