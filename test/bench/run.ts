/**
 * `npm run bench` (issue 12): a fresh local cloud (in this process), then standard-plan signups at concurrency
 * 1, 8 and 32 and a burst (every POST at once): time from POST /signups to ACTIVE (p50/p95/p99/max), tenants/s,
 * CPU seconds and peak RSS (the cloud and this driver share the process; the emulators' child processes are added), AWS calls per
 * onboarding by service (`/_embark/calls`), per-step durations from execution histories; a direct-call
 * baseline (the same PutItem, Cognito, Kubernetes apply and SES calls from a plain loop against the same
 * emulators) and Embark/baseline ratios; the growth series (batches at c=8 with N tenants pre-seeded by
 * BatchWriteItem copies of a real tenant's items and a directly created pool each). Every signup must end
 * ACTIVE, once (one welcome email per admin), or the bench fails. Writes bench/results.json, prints markdown.
 *
 * Sizes: `--quick` (default): c=1×10, c=8×40, c=32×64, burst 100, growth 100/500; `--full`: c=1×50,
 * c=8×200, c=32×500, burst 500, growth 100/1,000/5,000; RSS is read again after 15 s (`--full`: 40 s) idle.
 * Env overrides: BENCH_C1, BENCH_C8, BENCH_C32, BENCH_BURST, BENCH_GROWTH (comma list), BENCH_GROWTH_BATCH,
 * BENCH_REST_S. Asserts nothing about timings.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { SESClient, SendEmailCommand } from "@aws-sdk/client-ses";
import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from "@aws-sdk/client-sfn";
import { clusterFromEnvironment } from "../../core/adapters/cluster.js";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import { tenantObjects } from "../../core/cluster/tenant-objects.js";
import { ONBOARDING_STEP_TABLE } from "../../core/onboarding/step-table.js";
import { DEFAULT_PLANS } from "../../core/plans/catalog.js";
import { localClientConfig } from "../../local/aws/client-config.js";
import { untilTableActive } from "../../local/aws/table-active.js";
import { type LocalCloud, startLocalCloud } from "../../local/cloud.js";
import { readCalls, resetCalls } from "../../local/edge/calls.js";
import { mountEmbark } from "../../local/embark/mount.js";
import { splitCalls } from "../support/call-split.js";
import { rssByProcessMb, treeCpuSeconds, treeRssBytes } from "./process-tree.js";
import { pool, seedTenants } from "./seed.js";

const full = process.argv.includes("--full");
const loadAtStart = loadavg()[0] ?? 0;
const num = (env: string, quick: number, big: number) => Number(process.env[env] ?? (full ? big : quick));
const SIZES = {
  c1: num("BENCH_C1", 10, 50),
  c8: num("BENCH_C8", 40, 200),
  c32: num("BENCH_C32", 64, 500),
  burst: num("BENCH_BURST", 100, 500),
  growth: (process.env.BENCH_GROWTH ?? (full ? "100,1000,5000" : "100,500")).split(",").map(Number),
  growthBatch: num("BENCH_GROWTH_BATCH", 40, 100),
  // Idle seconds before RSS is read again: V8 and malloc hand back what a burst grew only once a process rests.
  restS: num("BENCH_REST_S", 15, 40),
};

function pct(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? Number.NaN;
  return { n: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s[s.length - 1] ?? Number.NaN };
}

/** Peak RSS, sampled (resourceUsage().maxRSS is the process's lifetime peak, which the seeding would set). */
class RssPeak {
  peak = 0;
  private timer = setInterval(() => this.sample(), 100);
  sample() {
    this.peak = Math.max(this.peak, treeRssBytes());
  }
  reset() {
    this.peak = treeRssBytes();
  }
  stop() {
    clearInterval(this.timer);
  }
}

let cloud: LocalCloud;
let web: string;
const rss = new RssPeak();
const onboarded = new Map<string, { email: string; run: string }>();
let seq = 0;
/** Status polls made (each is one tenant-status GetItem, taken out of the calls per onboarding). */
let polls = 0;

/**
 * Polls back off from 25 ms to 25 ms × concurrency (at most 500 ms): the pollers share the process with the
 * cloud, and 100 of them at 25 ms would be most of its load. Resolution: one interval.
 */
async function signUpAndWait(run: string, concurrency: number): Promise<number> {
  const i = seq++;
  const email = `ops${i}@bench${i}.test`;
  const t0 = performance.now();
  const res = await fetch(`${web}/signups`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ companyName: `Bench Co ${i}`, adminEmail: email, plan: "standard" }),
  });
  if (res.status !== 202) throw new Error(`signup ${i}: HTTP ${res.status} ${await res.text()}`);
  const { tenantId } = (await res.json()) as { tenantId: string };
  if (onboarded.has(tenantId)) throw new Error(`tenant ${tenantId} answered twice`);
  onboarded.set(tenantId, { email, run });
  let wait = 25;
  for (;;) {
    polls++;
    const view = (await (await fetch(`${web}/tenants/${tenantId}`)).json()) as { status: string };
    if (view.status === "ACTIVE") return performance.now() - t0;
    if (view.status === "FAILED") throw new Error(`tenant ${tenantId} FAILED`);
    await sleep(wait);
    wait = Math.min(wait * 1.5, Math.min(500, 25 * concurrency));
  }
}

interface RunResult {
  name: string;
  n: number;
  concurrency: number | "burst";
  ms: ReturnType<typeof pct>;
  wallS: number;
  tenantsPerS: number;
  cpuS: number;
  peakRssMb: number;
}

async function run(name: string, n: number, concurrency: number | "burst"): Promise<RunResult> {
  rss.reset();
  const cpu0 = treeCpuSeconds();
  const t0 = performance.now();
  const c = concurrency === "burst" ? n : concurrency;
  const times = await pool(n, c, () => signUpAndWait(name, c));
  const wallS = (performance.now() - t0) / 1000;
  const cpuS = treeCpuSeconds() - cpu0;
  rss.sample();
  const r = {
    name,
    n,
    concurrency,
    ms: pct(times),
    wallS,
    tenantsPerS: n / wallS,
    cpuS,
    peakRssMb: Math.round(rss.peak / 1024 / 1024),
  };
  console.error(`[bench] ${name}: ${JSON.stringify(r)}`);
  return r;
}

const standardPlan = DEFAULT_PLANS.find((p) => p.id === "standard")!;

/** The same calls an onboarding makes, made directly by a plain loop: the floor the emulators set. */
async function baseline(
  n: number,
  concurrency: number,
): Promise<ReturnType<typeof pct> & { tenantsPerS: number }> {
  const config = localClientConfig(cloud.endpoints.edge);
  const ddb = new DynamoDBClient(config);
  const idp = new CognitoIdentityProviderClient(config);
  const ses = new SESClient(config);
  let i = 0;
  const t0 = performance.now();
  const times = await pool(n, concurrency, async () => {
    const k = i++;
    const s0 = performance.now();
    await ddb.send(
      new PutItemCommand({
        TableName: "embark-bench-baseline",
        Item: { pk: { S: `TENANT#b${k}` }, status: { S: "PROVISIONING" } },
      }),
    );
    const { UserPool } = await idp.send(
      new CreateUserPoolCommand({
        PoolName: `baseline-${k}-${Date.now()}`,
        UsernameAttributes: ["email"],
        AutoVerifiedAttributes: ["email"],
      }),
    );
    const UserPoolId = UserPool?.Id ?? "";
    await idp.send(new CreateUserPoolClientCommand({ UserPoolId, ClientName: "web" }));
    await idp.send(new CreateGroupCommand({ UserPoolId, GroupName: "tenant-admins" }));
    await idp.send(
      new AdminCreateUserCommand({
        UserPoolId,
        Username: `admin${k}@baseline.test`,
        UserAttributes: [
          { Name: "email", Value: `admin${k}@baseline.test` },
          { Name: "email_verified", Value: "true" },
        ],
        DesiredDeliveryMediums: ["EMAIL"],
      }),
    );
    // The tenant's namespace and the objects in it, as the namespace step applies them (a fresh connection
    // per tenant, as each invocation makes: discovery included).
    const cluster = await clusterFromEnvironment({ KUBECONFIG: cloud.endpoints.kubeconfig });
    await cluster.apply(tenantObjects({ tenantId: `b${k}`, slug: `baseline-${k}`, plan: standardPlan }));
    await ses.send(
      new SendEmailCommand({
        Source: "noreply@embark.test",
        Destination: { ToAddresses: [`admin${k}@baseline.test`] },
        Message: { Subject: { Data: "Welcome" }, Body: { Text: { Data: "Welcome." } } },
      }),
    );
    await ddb.send(
      new PutItemCommand({
        TableName: "embark-bench-baseline",
        Item: { pk: { S: `TENANT#b${k}` }, status: { S: "ACTIVE" } },
      }),
    );
    return performance.now() - s0;
  });
  return { ...pct(times), tenantsPerS: n / ((performance.now() - t0) / 1000) };
}

/** Mean time per onboarding state (entered → exited) over up to `sample` executions' histories. */
async function stepDurations(sample: number): Promise<Record<string, { meanMs: number; p95Ms: number }>> {
  const sfn = new SFNClient(localClientConfig(cloud.endpoints.edge));
  const { region, accountId } = cloud.endpoints;
  const arn = `arn:aws:states:${region}:${accountId}:stateMachine:${LOCAL_NAMES.stateMachine("onboarding")}`;
  const list = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: sample }));
  const by: Record<string, number[]> = {};
  for (const e of list.executions ?? []) {
    const h = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: e.executionArn, maxResults: 1000 }),
    );
    const entered = new Map<string, number>();
    for (const ev of h.events ?? []) {
      const inName = ev.stateEnteredEventDetails?.name;
      const outName = ev.stateExitedEventDetails?.name;
      const t = ev.timestamp?.getTime() ?? 0;
      if (inName) entered.set(inName, t);
      if (outName && entered.has(outName)) {
        by[outName] ??= [];
        by[outName].push(t - (entered.get(outName) ?? t));
      }
    }
  }
  return Object.fromEntries(
    Object.entries(by).map(([k, xs]) => [
      k,
      { meanMs: Math.round(xs.reduce((a, b) => a + b, 0) / xs.length), p95Ms: Math.round(pct(xs).p95) },
    ]),
  );
}

/** The onboarding steps' functions' mean durations (what `npm run cost` bills), from the step durations. */
function functionMs(steps: Record<string, { meanMs: number }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const step of Object.values(ONBOARDING_STEP_TABLE) as Array<{
    label: string;
    function?: { name: string };
  }>) {
    const d = steps[step.label];
    if (step.function && d) out[step.function.name] = d.meanMs;
  }
  return out;
}

/**
 * Pre-seeds `count` tenants: BatchWriteItem copies of one real tenant's items (its ids and slug replaced) and a
 * pool created directly for each, so the tenants table and the pool count grow as onboarding would grow them.
 */
/** Each tenant ACTIVE and welcomed once; no other welcome emails to bench admins. */
async function accountFor(): Promise<{ signups: number; active: number; welcomes: number }> {
  const store = (await (await fetch(cloud.endpoints.sesMessages)).json()) as {
    emails?: Array<{ destination?: { to?: string[] }; subject?: string }>;
  };
  const welcomes = new Map<string, number>();
  for (const e of store.emails ?? []) {
    if (!/welcome/i.test(e.subject ?? "")) continue;
    for (const to of e.destination?.to ?? []) welcomes.set(to, (welcomes.get(to) ?? 0) + 1);
  }
  let active = 0;
  const problems: string[] = [];
  for (const tenantId of onboarded.keys()) {
    const view = (await (await fetch(`${web}/tenants/${tenantId}`)).json()) as { status: string };
    if (view.status === "ACTIVE") active++;
    else problems.push(`${tenantId} is ${view.status}`);
  }
  // The welcome is sent after ACTIVE: give the last ones a moment.
  for (let tries = 0; tries < 100; tries++) {
    const s = (await (await fetch(cloud.endpoints.sesMessages)).json()) as typeof store;
    welcomes.clear();
    for (const e of s.emails ?? []) {
      if (!/welcome/i.test(e.subject ?? "")) continue;
      for (const to of e.destination?.to ?? []) welcomes.set(to, (welcomes.get(to) ?? 0) + 1);
    }
    if ([...onboarded.values()].every(({ email }) => welcomes.has(email))) break;
    await sleep(100);
  }
  for (const { email } of onboarded.values()) {
    const n = welcomes.get(email) ?? 0;
    if (n !== 1) problems.push(`${email}: ${n} welcome emails`);
  }
  if (problems.length > 0) throw new Error(`signups not accounted for:\n${problems.slice(0, 20).join("\n")}`);
  return {
    signups: onboarded.size,
    active,
    welcomes: [...onboarded.values()].reduce((s, { email }) => s + (welcomes.get(email) ?? 0), 0),
  };
}

const s = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

async function main() {
  process.env.POWERTOOLS_LOG_LEVEL = "WARN";
  // Every signup comes from this machine: limits high enough never to bite, still taken (their calls count).
  process.env.EMBARK_SIGNUP_LIMIT_PER_IP ??= "1000000/3600";
  process.env.EMBARK_SIGNUP_LIMIT_PER_EMAIL_DOMAIN ??= "1000000/3600";
  const stateDir = await mkdtemp(join(tmpdir(), "embark-bench-"));
  const boot0 = performance.now();
  cloud = await startLocalCloud({
    stateDir,
    edgePort: 0,
    webPort: 0,
    kubePort: 0,
    wire: (c) => mountEmbark(c, { schedules: false }),
  });
  const bootMs = performance.now() - boot0;
  web = cloud.endpoints.web;
  try {
    await new DynamoDBClient(localClientConfig(cloud.endpoints.edge)).send(
      new CreateTableCommand({
        TableName: "embark-bench-baseline",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    await untilTableActive(
      new DynamoDBClient(localClientConfig(cloud.endpoints.edge)),
      "embark-bench-baseline",
    );
    // Warm-up (a cold function reads its plan once): not counted.
    await run("warm-up", 2, 1);
    const warmIds = [...onboarded.keys()];

    await sleep(2_000); // the warm-up's mailer and end event, out of the count
    await resetCalls(cloud.endpoints.edge);
    polls = 0;
    const rssAtStartMb = Math.round(treeRssBytes() / 2 ** 20);
    const rssAtStartByProcess = rssByProcessMb();
    const runs: RunResult[] = [];
    runs.push(await run("c=1", SIZES.c1, 1));
    await sleep(2_000); // the last execution's end event and the mailer
    const counted = await readCalls(cloud.endpoints.edge);
    const polled = "dynamodb GetItem embark-tenants";
    counted.operations[polled] = (counted.operations[polled] ?? 0) - polls;
    const split = splitCalls(counted);
    // Step durations of the c=1 executions (the newest): uncontended, what a Lambda invocation bills.
    const steps = await stepDurations(SIZES.c1);
    const per = (ops: Record<string, number>) =>
      Object.fromEntries(
        Object.entries(ops)
          .filter(([k]) => !/^sqs ReceiveMessage /.test(k))
          .map(([k, n]) => [k, Math.round((n / SIZES.c1) * 100) / 100]),
      );
    const callsPerOnboarding = {
      embark: per(split.embark.operations),
      platform: per(split.platform.operations),
    };
    const byService: Record<string, number> = {};
    for (const [k, n] of Object.entries(callsPerOnboarding.embark)) {
      const svc = k.split(" ")[0] ?? k;
      byService[svc] = Math.round(((byService[svc] ?? 0) + n) * 100) / 100;
    }
    const kubePerOnboarding = 0; // counted by test/e2e/onboarding-calls.test.ts (12: 3 discovery, 9 applies)
    runs.push(await run("c=8", SIZES.c8, 8));
    runs.push(await run("c=32", SIZES.c32, 32));
    runs.push(await run("burst", SIZES.burst, "burst"));

    const base1 = await baseline(SIZES.c1, 1);
    const base8 = await baseline(SIZES.c8, 8);

    // Growth: pre-seed up to each size, then a batch at c=8.
    const firstId = warmIds[0] ?? "";
    const tpl = (await (await fetch(`${web}/tenants/${firstId}`)).json()) as Record<string, unknown>;
    const signIn = (await (await fetch(`${web}/tenants/${String(tpl.slug)}/sign-in`)).json()) as {
      userPoolId: string;
    };
    const template = { tenantId: firstId, slug: String(tpl.slug), poolId: signIn.userPoolId };
    const growth: Array<
      RunResult & {
        tenantsBefore: number;
        seedS: number;
        seeded: number;
        copied: { items: number; kubeObjects: number };
      }
    > = [];
    for (const target of SIZES.growth) {
      const have = onboarded.size + growth.reduce((a, g) => a + g.seeded, 0);
      const add = Math.max(0, target - have);
      const t0 = performance.now();
      const copied = await seedTenants(add, template, cloud.endpoints, () => seq++);
      const seedS = (performance.now() - t0) / 1000;
      const r = await run(`growth ${target}`, SIZES.growthBatch, 8);
      growth.push({ ...r, tenantsBefore: target, seedS, seeded: add, copied });
    }
    const accounted = await accountFor();
    const atEnd = { mb: Math.round(treeRssBytes() / 2 ** 20), byProcess: rssByProcessMb() };
    await sleep(SIZES.restS * 1000);
    const atRest = { mb: Math.round(treeRssBytes() / 2 ** 20), byProcess: rssByProcessMb() };

    const machine = `${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}`;
    const results = {
      date: new Date().toISOString(),
      command: `npm run bench${full ? " -- --full" : " -- --quick"}`,
      machine,
      // Other work on the machine skews every number: say how loaded it was.
      note: `load average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0]?.toFixed(1)} at end; MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? "unset"}`,
      sizes: SIZES,
      bootMs: Math.round(bootMs),
      runs,
      callsPerOnboarding,
      callsByService: byService,
      kubePerOnboarding,
      steps,
      functionMs: functionMs(steps),
      baseline: { c1: base1, c8: base8 },
      ratios: {
        c1p50: runs[0] ? runs[0].ms.p50 / base1.p50 : null,
        c8p50: runs[1] ? runs[1].ms.p50 / base8.p50 : null,
        c8throughput: runs[1] ? base8.tenantsPerS / runs[1].tenantsPerS : null,
      },
      growth,
      accounted,
      rss: {
        atStartMb: rssAtStartMb,
        atEndMb: atEnd.mb,
        atRestMb: atRest.mb,
        byProcessAtStartMb: rssAtStartByProcess,
        byProcessAtEndMb: atEnd.byProcess,
        byProcessAtRestMb: atRest.byProcess,
      },
    };
    const [c1, , c32] = runs;
    const [g0, gN] = [growth[0], growth[growth.length - 1]];
    const goals = [
      c1 && c32 && `c=32 throughput ${(c32.tenantsPerS / c1.tenantsPerS).toFixed(1)}× c=1's (goal ≥ 3×)`,
      c1 && c32 && `c=32 p99 ${(c32.ms.p99 / c1.ms.p50).toFixed(1)}× c=1's p50 (goal ≤ 4×)`,
      g0 &&
        gN &&
        gN !== g0 &&
        `p50 from ${g0.tenantsBefore} to ${gN.tenantsBefore} tenants ${(((gN.ms.p50 - g0.ms.p50) / g0.ms.p50) * 100).toFixed(0)} % (goal ≤ 10 %)`,
      `RSS ${results.rss.atStartMb} MB after the warm-up, ${results.rss.atEndMb} MB right after the last batch (${(results.rss.atEndMb / results.rss.atStartMb).toFixed(2)}×) and ${results.rss.atRestMb} MB after ${SIZES.restS} s idle (${(results.rss.atRestMb / results.rss.atStartMb).toFixed(2)}×; goal ≤ 1.5×)`,
      `Embark/baseline p50 at c=1 ${results.ratios.c1p50?.toFixed(1)}× (goal ≤ 1.5×)`,
    ].filter(Boolean);
    await mkdir("bench", { recursive: true });
    await writeFile("bench/results.json", `${JSON.stringify(results, null, 2)}\n`);

    const lines = [
      `\`${results.command}\`, ${results.date.slice(0, 10)}, ${machine} (${results.note})`,
      "",
      "| run | n | p50 | p95 | p99 | max | tenants/s | CPU s | peak RSS |",
      "|---|---|---|---|---|---|---|---|---|",
      ...[...runs, ...growth].map(
        (r) =>
          `| ${r.name}${"tenantsBefore" in r ? ` (c=8, ${r.tenantsBefore} tenants seeded)` : ""} | ${r.n} | ${s(r.ms.p50)} | ${s(r.ms.p95)} | ${s(r.ms.p99)} | ${s(r.ms.max)} | ${r.tenantsPerS.toFixed(1)} | ${r.cpuS.toFixed(1)} | ${r.peakRssMb} MB |`,
      ),
      `| baseline c=1 (direct calls) | ${base1.n} | ${s(base1.p50)} | ${s(base1.p95)} | ${s(base1.p99)} | ${s(base1.max)} | ${base1.tenantsPerS.toFixed(1)} | | |`,
      `| baseline c=8 (direct calls) | ${base8.n} | ${s(base8.p50)} | ${s(base8.p95)} | ${s(base8.p99)} | ${s(base8.max)} | ${base8.tenantsPerS.toFixed(1)} | | |`,
      "",
      `Embark/baseline: p50 ${results.ratios.c1p50?.toFixed(1)}× at c=1, ${results.ratios.c8p50?.toFixed(1)}× at c=8; throughput at c=8 ${results.ratios.c8throughput?.toFixed(1)}× lower.`,
      `AWS calls per onboarding by service (Embark's, c=1 run): ${Object.entries(byService)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ")}.`,
      `Steps (mean / p95, the c=1 run's ${SIZES.c1} executions): ${Object.entries(steps)
        .map(([k, v]) => `${k} ${s(v.meanMs)} / ${s(v.p95Ms)}`)
        .join("; ")}.`,
      `Against the goals: ${goals.join("; ")}.`,
      `RSS by process, after the warm-up → right after the last batch → after ${SIZES.restS} s idle: ${Object.entries(
        results.rss.byProcessAtRestMb,
      )
        .map(
          ([k, mb]) =>
            `${k} ${results.rss.byProcessAtStartMb[k] ?? "?"} → ${results.rss.byProcessAtEndMb[k] ?? "?"} → ${mb} MB`,
        )
        .join(", ")}.`,
      `Accounted for: ${accounted.signups} signups, ${accounted.active} ACTIVE, ${accounted.welcomes} welcome emails (one each).`,
    ];
    console.log(lines.join("\n"));
  } catch (err) {
    console.error(err);
    process.exitCode = 1;
  } finally {
    rss.stop();
    await cloud.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
