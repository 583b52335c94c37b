/**
 * Runs sst.config.ts `run()` offline under Pulumi mocks and records every resource it declares.
 *
 * This is the ONE place that depends on SST internals (kept here so an SST upgrade breaks one file):
 * - the globals SST's CLI sets before running the program (`$app`, `$dev`, `$cli`, `sst`, `aws`, and the shim's
 *   `$interpolate`, `$util`, … from .sst/platform/src/shim/run.js);
 * - SST's program wrapper (.sst/platform/src/auto/run.ts);
 * - a tiny stand-in for the CLI's RPC server: `Provider.Aws.Bootstrap` (the asset bucket) and `Runtime.Build`
 *   (function bundling: answered with a stub bundle after checking the handler file exists);
 * - `aws:iam/getPolicyDocument` rendered here the way the provider renders it (SST builds Lambda role policies
 *   with it).
 * Needs `.sst/platform` (`npm run sst:install`). Pulumi keeps global state, so run it once per test file.
 * A program that fails inside an Output (e.g. a missing SST secret) surfaces as unhandled rejections and never
 * finishes here, unlike under the CLI: test such rules on the declared resources instead.
 */
// biome-ignore-all lint/suspicious/noExplicitAny: provider inputs/state are untyped JSON from Pulumi, read by tests.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../../..");
export const PLATFORM = join(ROOT, ".sst/platform");
export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";

export interface RecordedResource {
  type: string;
  /** Pulumi logical name (e.g. `SignupIntakeFunction`). */
  name: string;
  /** Inputs as the provider would receive them (Outputs resolved). */
  inputs: Record<string, any>;
  /** The state the mock returned (inputs plus synthesized ids/ARNs). */
  state: Record<string, any>;
  /** Top-level inputs Pulumi holds as secrets (encrypted in state); `inputs` shows them unwrapped. */
  secretInputs: string[];
}

export interface SstRun {
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  /** Handlers SST was asked to build (Runtime.Build). */
  builds: Array<{ functionID: string; handler: string; runtime: string }>;
  ofType(type: string): RecordedResource[];
  /** The single resource of a type and logical name; throws when missing. */
  get(type: string, name: string): RecordedResource;
}

export interface RunOptions {
  stage: string;
  /** SST secrets by name (SST passes them as SST_SECRET_<name>). */
  secrets: Record<string, string>;
}

export function sstPlatformInstalled(): boolean {
  return existsSync(join(PLATFORM, "config.d.ts"));
}

export async function runSstProgram(opts: RunOptions): Promise<SstRun> {
  if (!sstPlatformInstalled()) {
    throw new Error(`${PLATFORM} is missing: run \`npm run sst:install\` (offline, about a minute) first`);
  }
  const work = mkdtempSync(join(tmpdir(), "embark-sst-"));
  const resources: RecordedResource[] = [];
  const builds: SstRun["builds"] = [];
  const rpc = await startRpcStub(work, builds);
  const savedEnv = { ...process.env };
  const cwd = process.cwd();
  try {
    process.env.SST_SERVER = rpc.url;
    for (const [name, value] of Object.entries(opts.secrets)) process.env[`SST_SECRET_${name}`] = value;

    const pulumi = await importPlatform("node_modules/@pulumi/pulumi/index.js");
    // The shim's exports ($config, $interpolate, $util, …) are globals in an SST program.
    const shim = await importPlatform("src/shim/run.js");
    setGlobals(Object.fromEntries(Object.entries(shim)));
    const config = (await import(join(ROOT, "sst.config.ts"))).default as SstConfig;
    const app = config.app({ stage: opts.stage });
    setGlobals({
      $app: {
        name: app.name,
        stage: opts.stage,
        removal: app.removal,
        protect: app.protect ?? false,
        providers: {},
      },
      $dev: false,
      $cli: {
        command: "deploy",
        rpc: rpc.url,
        paths: { home: join(work, "home"), root: ROOT, work, platform: PLATFORM },
        home: "aws",
        state: { version: {} },
      },
    });
    setGlobals({
      sst: await importPlatform("src/components/index.ts"),
      aws: await importPlatform("node_modules/@pulumi/aws/index.js"),
    });

    await pulumi.runtime.setMocks(
      {
        newResource(args: { type: string; name: string; inputs: any; id?: string }) {
          const secretInputs = Object.keys(args.inputs ?? {}).filter((k) => isSecret(args.inputs[k]));
          const inputs = unwrapSecrets(args.inputs);
          const state = { ...inputs, ...synthesize(args.type, args.name, inputs) };
          resources.push({ type: args.type, name: args.name, inputs, state, secretInputs });
          return { id: args.id || `${args.name}-id`, state };
        },
        call(args: { token: string; inputs: any }) {
          return mockCall(args.token, args.inputs);
        },
      },
      app.name,
      opts.stage,
      false,
    );
    const { run } = await importPlatform("src/auto/run.ts");
    const outputs = (await pulumi.runtime.runInPulumiStack(() => run(() => config.run()))) ?? {};
    await pulumi.runtime.waitForRPCs();
    const ofType = (type: string) => resources.filter((r) => r.type === type);
    return {
      resources,
      outputs,
      builds,
      ofType,
      get(type, name) {
        const found = ofType(type).filter((r) => r.name === name);
        if (found.length !== 1) {
          throw new Error(
            `expected one ${type} named ${name}, found ${found.length}: ${ofType(type).map((r) => r.name)}`,
          );
        }
        return found[0]!;
      },
    };
  } finally {
    process.chdir(cwd);
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
    await rpc.close();
  }
}

interface SstConfig {
  app(input: { stage: string }): { name: string; removal: string; protect?: boolean };
  run(): Promise<Record<string, unknown> | undefined>;
}

async function importPlatform(path: string): Promise<any> {
  return import(join(PLATFORM, path));
}

function setGlobals(values: Record<string, unknown>): void {
  Object.assign(globalThis, values);
}

/** The CLI's RPC server, reduced to the two methods a deploy of Embark's components calls. */
async function startRpcStub(work: string, builds: SstRun["builds"]) {
  // Every function gets the same stub bundle: SST zips it and Pulumi mocks the upload.
  const bundle = join(work, "bundle");
  mkdirSync(bundle, { recursive: true });
  writeFileSync(join(bundle, "index.mjs"), "export const handler = async () => ({});\n");
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const { method, params } = JSON.parse(body) as { method: string; params: [any] };
      const reply = (payload: object) => res.end(JSON.stringify(payload));
      if (method === "Provider.Aws.Bootstrap") {
        return reply({
          result: {
            asset: "sst-asset-test",
            assetEcrRegistryId: ACCOUNT,
            assetEcrUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/sst-asset`,
            state: "sst-state-test",
            appsyncHttp: "",
            appsyncRealtime: "",
          },
        });
      }
      if (method === "Runtime.Build") {
        const input = params[0] as { functionID: string; handler: string; runtime: string };
        builds.push({ functionID: input.functionID, handler: input.handler, runtime: input.runtime });
        // SST's build resolves `<file>.<export>` to a source file; say so when it would not.
        const file = input.handler.replace(/\.[^.]+$/, "");
        const found = [".ts", ".js", ".mjs"].some((ext) => existsSync(join(ROOT, file + ext)));
        if (!found)
          return reply({ result: { errors: [`Could not find a file for handler "${input.handler}"`] } });
        return reply({ result: { handler: "index.handler", out: bundle, errors: [], sourcemaps: [] } });
      }
      return reply({ error: `rpc: can't find method ${method}` });
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** Pulumi's wire form of a secret value: `{ <signature key>: <secret signature>, value }`. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const isSecret = (v: any) =>
  v !== null && typeof v === "object" && v[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270";

function unwrapSecrets(v: any): any {
  if (isSecret(v)) return unwrapSecrets(v.value);
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]));
  return v;
}

const arnOf = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

/** Outputs AWS would compute for the resource types Embark declares. */
function synthesize(type: string, name: string, inputs: any): Record<string, unknown> {
  const physical = inputs.name ?? `${name}-${Math.abs(hash(name)).toString(36)}`;
  switch (type) {
    case "aws:sqs/queue:Queue":
      return {
        name: physical,
        arn: arnOf("sqs", physical),
        url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${physical}`,
      };
    case "aws:dynamodb/table:Table":
      return { name: physical, arn: arnOf("dynamodb", `table/${physical}`) };
    case "aws:lambda/function:Function":
      return {
        name: physical,
        arn: arnOf("lambda", `function:${physical}`),
        invokeArn: `invoke:${physical}`,
      };
    case "aws:iam/role:Role":
      return { name: physical, arn: `arn:aws:iam::${ACCOUNT}:role/${physical}` };
    case "aws:sfn/stateMachine:StateMachine":
      return { name: physical, arn: arnOf("states", `stateMachine:${physical}`) };
    case "aws:cloudwatch/eventRule:EventRule":
      return { name: physical, arn: arnOf("events", `rule/${physical}`) };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { name: physical, arn: arnOf("logs", `log-group:${physical}`) };
    case "aws:sns/topic:Topic":
      return { name: physical, arn: arnOf("sns", physical) };
    case "aws:apigatewayv2/api:Api":
      return {
        apiEndpoint: `https://${name}.execute-api.${REGION}.amazonaws.com`,
        executionArn: arnOf("execute-api", `${name}-id`),
      };
    case "aws:sesv2/configurationSet:ConfigurationSet":
      return { arn: arnOf("ses", `configuration-set/${inputs.configurationSetName}`) };
    default:
      return { arn: arnOf(type.split(":")[1]?.split("/")[0] ?? "unknown", physical), name: physical };
  }
}

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}

function mockCall(token: string, inputs: any): Record<string, unknown> {
  switch (token) {
    case "aws:index/getRegion:getRegion":
      return { name: REGION, region: REGION, id: REGION, endpoint: `ec2.${REGION}.amazonaws.com` };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/test`, userId: "TEST", id: ACCOUNT };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
    case "aws:iam/getPolicyDocument:getPolicyDocument":
      // The provider echoes the statements back; SST adds an inline policy only when there are some.
      return { json: JSON.stringify(policyDocument(inputs)), statements: inputs.statements, id: "policy" };
    default:
      throw new Error(`no mock for provider function ${token}`);
  }
}

/** iam.getPolicyDocument's rendering (the parts SST uses: effect, actions, resources, conditions). */
function policyDocument(inputs: { statements?: any[] }) {
  return {
    Version: "2012-10-17",
    Statement: (inputs.statements ?? []).map((s) => ({
      Effect: s.effect ?? "Allow",
      Action: s.actions,
      Resource: s.resources,
      ...(s.conditions?.length
        ? {
            Condition: Object.fromEntries(
              s.conditions.map((c: { test: string; variable: string; values: string[] }) => [
                c.test,
                { [c.variable]: c.values },
              ]),
            ),
          }
        : {}),
      ...(s.principals?.length
        ? {
            Principal: Object.fromEntries(
              s.principals.map((p: { type: string; identifiers: string[] }) => [p.type, p.identifiers]),
            ),
          }
        : {}),
    })),
  };
}
