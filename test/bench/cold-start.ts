/**
 * `npm run bench:cold`: what a cold start costs each function, measured on its deployment bundle (`npm run
 * bundle`, SST's esbuild options) and compared with a baseline: a handler that builds the same AWS SDK clients
 * (one per AWS service in the function's manifest `access`) and returns at once, bundled the same way.
 *   size   the bundle (index.mjs, what the zip holds apart from nothing else)
 *   init   importing the bundle in a fresh Node 22 process, from its own task root with a Lambda-like
 *          environment (median of BENCH_COLD_RUNS, default 5): what Lambda reports as most of Init Duration
 *   first  the first invocation on a local cloud running the bundles (EMBARK_LAMBDA_CODE=bundle), driven
 *          through every function by test/support/journey.ts: load + the handler's first call, as the caller
 *          sees it (one run; the baseline's is load + an empty call)
 * `BENCH_COLD_TOP=5` also prints each bundle's five largest packages (from esbuild's metafile);
 * `BENCH_COLD_ONLY=a,b` measures the init of those functions only.
 * Prints numbers and asserts nothing.
 */
import { spawn } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Metafile } from "esbuild";
import type { FunctionSpec } from "../../core/app/function-spec.js";
import { FUNCTION_NAMES, FUNCTIONS, type FunctionName } from "../../core/app/manifest.js";
import { resourceEnvironment, settingsEnvironment } from "../../core/app/resources.js";
import { mountEmbark } from "../../local/embark/mount.js";
import { BUNDLE_FILE, stageTaskRoots } from "../../local/lambda/bundle-loader.js";
import { type BundleReport, bundleEntries, bundleFunctions, DIST, kib } from "../../scripts/bundle.js";
import { type FirstInvocation, recordFirstInvocations } from "../support/first-invocations.js";
import { runJourney } from "../support/journey.js";
import { startTestCloud } from "../support/test-cloud.js";

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 5);
const TOP = Number(process.env.BENCH_COLD_TOP ?? 0);
/** BENCH_COLD_ONLY=a,b: init of these functions only, no first-invocation run (for quick iterations). */
const ONLY = process.env.BENCH_COLD_ONLY?.split(",").filter(Boolean);

/** The SDK client each AWS service of a manifest `access` entry makes the code build. */
const CLIENTS: Record<string, { pkg: string; client: string }> = {
  dynamodb: { pkg: "@aws-sdk/client-dynamodb", client: "DynamoDBClient" },
  sqs: { pkg: "@aws-sdk/client-sqs", client: "SQSClient" },
  events: { pkg: "@aws-sdk/client-eventbridge", client: "EventBridgeClient" },
  states: { pkg: "@aws-sdk/client-sfn", client: "SFNClient" },
  codepipeline: { pkg: "@aws-sdk/client-codepipeline", client: "CodePipelineClient" },
  "cognito-idp": {
    pkg: "@aws-sdk/client-cognito-identity-provider",
    client: "CognitoIdentityProviderClient",
  },
  ses: { pkg: "@aws-sdk/client-ses", client: "SESClient" },
  eks: { pkg: "@aws-sdk/client-eks", client: "EKSClient" },
};

/** The AWS services a function's manifest entry lets it call. */
export function servicesOf(spec: FunctionSpec): string[] {
  const services = new Set(spec.access.flatMap((a) => a.actions.map((x) => x.split(":")[0] ?? "")));
  for (const s of services) if (!CLIENTS[s]) throw new Error(`no baseline client for service ${s}`);
  return [...services].sort();
}

/** A handler that builds the function's SDK clients (DynamoDB through the document client) and returns. */
export function baselineSource(spec: FunctionSpec): string {
  const services = servicesOf(spec);
  const lines = services.map((s) => `import { ${CLIENTS[s]?.client} } from "${CLIENTS[s]?.pkg}";`);
  const build = services.map((s) => `new ${CLIENTS[s]?.client}({})`);
  if (services.includes("dynamodb")) {
    lines.push(`import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";`);
    build[services.indexOf("dynamodb")] = "DynamoDBDocumentClient.from(new DynamoDBClient({}))";
  }
  return [
    ...lines,
    `export const clients = [${build.join(", ")}];`,
    "export const handler = async () => ({ clients: clients.length });",
    "",
  ].join("\n");
}

/** What a deployed function's environment holds (names and ARNs; values only need to exist). */
function lambdaEnvironment(name: string): NodeJS.ProcessEnv {
  const arn = (kind: string, n: string) => `arn:aws:${kind}:us-east-1:000000000000:${n}`;
  return {
    PATH: process.env.PATH,
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
    NODE_OPTIONS: "",
    POWERTOOLS_SERVICE_NAME: "embark",
    POWERTOOLS_METRICS_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: "WARN",
    ...resourceEnvironment({
      table: (k) => `embark-${k}`,
      queue: (k) => `https://sqs.us-east-1.amazonaws.com/000000000000/embark-${k}`,
      deadLetterQueue: (k) => `https://sqs.us-east-1.amazonaws.com/000000000000/embark-${k}-dlq`,
      bus: (k) => `embark-${k}`,
      bucket: (k) => `embark-${k}`,
      stateMachine: (k) => arn("states", `stateMachine:embark-${k}`),
      functionArn: (name) => arn("lambda", `function:embark-${name}`),
      scheduleRole: (k) => `arn:aws:iam::000000000000:role/embark-${k}-schedule`,
    }),
    ...settingsEnvironment({
      pipelineName: "embark-tenant-pipeline",
      senderEmail: "Embark <no-reply@x.test>",
    }),
    EMBARK_STRIPE_WEBHOOK_SECRET: "whsec_bench",
  };
}

/** Imports `index.mjs` from `taskRoot` in a fresh Node process; the import's duration in ms. */
function measureInit(taskRoot: string, name: string): Promise<number> {
  const script = [
    "const t0 = performance.now();",
    `const m = await import("./${BUNDLE_FILE}");`,
    "const ms = performance.now() - t0;",
    `if (typeof m.handler !== "function") throw new Error("no handler export");`,
    "process.stdout.write(String(ms));",
  ].join("\n");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      cwd: taskRoot,
      env: lambdaEnvironment(name),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("exit", (code) =>
      code === 0 ? resolve(Number(out)) : reject(new Error(`init of ${name} failed (${code}): ${err}`)),
    );
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/**
 * Init medians of each function and its baseline, measured in pairs (function, then its baseline, round after
 * round) so that load from elsewhere on the machine weighs on both alike.
 */
async function initMedians(functionsDir: string, baselinesDir: string, names: string[]) {
  const fns = await stageTaskRoots(functionsDir, names);
  const bases = await stageTaskRoots(baselinesDir, names);
  const runs = new Map(names.map((n) => [n, { fn: [] as number[], base: [] as number[] }]));
  try {
    for (let i = 0; i < RUNS; i++) {
      for (const name of names) {
        const r = runs.get(name);
        r?.fn.push(await measureInit(fns.taskRoot(name), name));
        r?.base.push(await measureInit(bases.taskRoot(name), name));
      }
    }
  } finally {
    await fns.remove();
    await bases.remove();
  }
  return {
    init: new Map(names.map((n) => [n, median(runs.get(n)?.fn ?? [])])),
    baseInit: new Map(names.map((n) => [n, median(runs.get(n)?.base ?? [])])),
  };
}

/** Bytes per package (or repo dir) in a bundle, largest first. */
export function packagesOf(meta: Metafile): [string, number][] {
  const sizes = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg =
        /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? file.split("/").slice(0, 2).join("/");
      sizes.set(pkg, (sizes.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return [...sizes].sort((a, b) => b[1] - a[1]);
}

/** Runs the journey on a local cloud of bundles (+ the baselines registered beside them). */
async function firstInvocations(baselinesDir: string, names: string[]) {
  process.env.POWERTOOLS_LOG_LEVEL = "ERROR";
  process.env.EMBARK_LAMBDA_CODE = "bundle";
  const { cloud, stateDir } = await startTestCloud("bench-cold", { wire: mountEmbark });
  const baselines = await stageTaskRoots(baselinesDir, names);
  try {
    for (const name of names) {
      cloud.functions.register({ name: `baseline-${name}`, load: baselines.loader(name, "handler") });
    }
    const seen = recordFirstInvocations(cloud);
    const endpoints = cloud.endpoints as typeof cloud.endpoints & { stripeWebhookSecret: string };
    await runJourney(endpoints);
    // Baselines one after another, once the journey's background work has settled.
    await new Promise((r) => setTimeout(r, 1000));
    for (const name of names) await cloud.functions.invoke(`baseline-${name}`, {});
    return new Map<string, FirstInvocation>(seen);
  } finally {
    await cloud.stop();
    await baselines.remove();
    await rm(stateDir, { recursive: true, force: true });
  }
}

const names: string[] = ONLY ?? [...FUNCTION_NAMES];
console.log(`bundling ${names.length} functions and their baselines (SST's esbuild options)…`);
const bundles = new Map((await bundleFunctions()).map((r) => [r.name, r]));
const baselineSrc = join(DIST, "baseline-src");
await mkdir(baselineSrc, { recursive: true });
const entries: Record<string, string> = {};
for (const name of names) {
  entries[name] = join(baselineSrc, `${name}.mjs`);
  await writeFile(entries[name], baselineSource(FUNCTIONS[name as FunctionName]));
}
const baselinesDir = join(DIST, "baselines");
const baselineBundles = new Map<string, BundleReport>(
  (await bundleEntries(entries, baselinesDir)).map((r) => [r.name, r]),
);

console.log(`init: importing each bundle in a fresh Node ${process.version} process, median of ${RUNS}…`);
const { init, baseInit } = await initMedians(join(DIST, "functions"), baselinesDir, names);
if (!ONLY) console.log("first invocation: the journey on a local cloud running the bundles…");
const first = ONLY ? new Map<string, FirstInvocation>() : await firstInvocations(baselinesDir, names);

const ms = (n: number | undefined) => (n === undefined ? "—" : `${Math.round(n)} ms`);
const rows = names.map((name) => {
  const i = init.get(name) ?? Number.NaN;
  const b = baseInit.get(name) ?? Number.NaN;
  const f = first.get(name);
  return [
    name,
    kib(bundles.get(name)?.bytes ?? 0),
    kib(baselineBundles.get(name)?.bytes ?? 0),
    ms(i),
    ms(b),
    `${(i / b).toFixed(1)}×`,
    f ? `${ms(f.firstInvocationMs)}${f.failed ? " (failed)" : ""}` : "not invoked",
    ms(first.get(`baseline-${name}`)?.firstInvocationMs),
    servicesOf(FUNCTIONS[name as FunctionName]).join(" ") || "—",
  ];
});
const header = ["function", "size", "baseline size", "init", "baseline init", "init ÷ baseline"];
header.push("first invocation", "baseline first invocation", "SDK clients (from access)");
console.log(`\n| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|`);
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
const ratios = names.map((n) => (init.get(n) ?? 0) / (baseInit.get(n) ?? 1));
console.log(
  `\ninit ÷ baseline: median ${median(ratios).toFixed(2)}×, worst ${Math.max(...ratios).toFixed(2)}×`,
);
if (TOP > 0) {
  for (const name of names) {
    const meta = bundles.get(name)?.metafile;
    if (!meta) continue;
    const top = packagesOf(meta).slice(0, TOP);
    console.log(`${name}: ${top.map(([p, b]) => `${p} ${kib(b)}`).join(", ")}`);
  }
}
process.exit(0);
