/**
 * Starts the embedded local cloud: the edge port, the packaged emulators behind it, our own Step Functions,
 * EventBridge, CodePipeline and Lambda services, the Kubernetes stand-in and the web server. One process,
 * loopback only. Used by `npm start` (local/main.ts) and by the vitest global setup.
 */

import { mkdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { LOCAL_ACCOUNT_ID, LOCAL_CREDENTIALS, LOCAL_REGION } from "./aws/constants.js";
import { writeFileAtomic } from "./aws/state-file.js";
import { createCodePipelineService } from "./codepipeline/service.js";
import type { LocalContext } from "./context.js";
import { startEdge } from "./edge/server.js";
import { startEmulatorProcess } from "./emulators/in-child.js";
import { type RunningSes, startSes } from "./emulators/ses.js";
import { startSqs } from "./emulators/sqs.js";
import { createEventBridgeService } from "./eventbridge/service.js";
import { faultPlanFromEnv, faults } from "./faults/index.js";
import { writeKubeconfig } from "./k8s/kubeconfig.js";
import { createLambdaApi } from "./lambda/invoke-api.js";
import { type FunctionDefinition, FunctionRegistry } from "./lambda/registry.js";
import { createReadiness, type Readiness } from "./readiness.js";
import { startS3 } from "./s3/service.js";
import { createSchedulerService, type SchedulerService } from "./scheduler/service.js";
import { createStepFunctionsService } from "./stepfunctions/service.js";
import { startWebServer } from "./web/server.js";

export interface CloudOptions {
  /** Where state lives (default ./.local). */
  stateDir?: string;
  /** Wipe stateDir first. */
  fresh?: boolean;
  /** 0 picks a free port (tests). Defaults: EMBARK_EDGE_PORT or 4566, EMBARK_WEB_PORT or 3000. */
  edgePort?: number;
  webPort?: number;
  kubePort?: number;
  /** Scales Step Functions Retry intervals (tests use a small factor). */
  retryIntervalScale?: number;
  /** Default duration of a local pipeline run (EMBARK_PIPELINE_DURATION_MS, else 1500 ms). */
  pipelineDurationMs?: number;
  /** Extra functions to register (test fixtures). */
  functions?: FunctionDefinition[];
  /**
   * Called once every service is up, to register an app's functions, queues, rules and workflows (Embark's:
   * local/embark/mount.ts). It may add fields to `endpoints` before endpoints.json is written.
   */
  wire?: (cloud: LocalCloud) => Promise<void>;
}

export interface Endpoints {
  edge: string;
  web: string;
  kubernetes: string;
  kubeconfig: string;
  /** Mail the local SES accepted (GET), as LocalStack serves it. */
  sesMessages: string;
  stateDir: string;
  region: string;
  accountId: string;
  /** Every AWS service name → the URL to use as its endpoint (always the edge). */
  services: Record<string, string>;
}

export interface LocalCloud {
  endpoints: Endpoints;
  /** Marked once start-up (and `wire`) finished; the health endpoints report it. */
  readiness: Readiness;
  context: LocalContext;
  functions: FunctionRegistry;
  web: Awaited<ReturnType<typeof startWebServer>>;
  stepFunctions: Awaited<ReturnType<typeof createStepFunctionsService>>;
  eventBridge: Awaited<ReturnType<typeof createEventBridgeService>>;
  codePipeline: Awaited<ReturnType<typeof createCodePipelineService>>;
  scheduler: SchedulerService;
  /** The local SES (configuration sets are registered on it in process). */
  ses: RunningSes;
  /** Registers a stop hook (e.g. an SQS event source mapping) run before the services stop. */
  onStop(fn: () => Promise<void>): void;
  stop(): Promise<void>;
}

function envPort(name: string, fallback: number): number {
  const raw = process.env[name];
  return raw === undefined || raw === "" ? fallback : Number(raw);
}

function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  return raw === undefined || raw === "" ? undefined : Number(raw);
}

export async function startLocalCloud(opts: CloudOptions = {}): Promise<LocalCloud> {
  // Fault injection (local/faults/): EMBARK_FAULTS at start, POST /_embark/faults later. None by default.
  faults.setPlan(faultPlanFromEnv());
  faults.resetCounts();
  const stateDir = resolve(opts.stateDir ?? ".local");
  if (opts.fresh) await rm(stateDir, { recursive: true, force: true });
  await mkdir(stateDir, { recursive: true });

  // Until everything is wired, health says 503 "starting" and requests wait instead of meeting a 404.
  const readiness = createReadiness();
  const edge = await startEdge({ port: opts.edgePort ?? envPort("EMBARK_EDGE_PORT", 4566), readiness });
  // In-process handlers reach AWS through the standard variables, exactly as they would in Lambda.
  process.env.AWS_ENDPOINT_URL = edge.url;
  process.env.AWS_REGION = LOCAL_REGION;
  process.env.AWS_DEFAULT_REGION = LOCAL_REGION;
  process.env.AWS_ACCESS_KEY_ID ??= LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY ??= LOCAL_CREDENTIALS.secretAccessKey;

  const stops: Array<() => Promise<void>> = [];
  const functions = new FunctionRegistry();
  for (const def of opts.functions ?? []) functions.register(def);
  await functions.useDurableAsync(join(stateDir, "lambda"));
  const context: LocalContext = {
    stateDir,
    edgeUrl: edge.url,
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT_ID,
    functions,
  };
  const sub = (name: string): LocalContext => ({ ...context, stateDir: join(stateDir, name) });

  const [dynamodb, sqs, cognito, ses, kube] = await Promise.all([
    startEmulatorProcess("dynamodb", join(stateDir, "dynamodb")),
    startSqs(join(stateDir, "sqs"), edge.url),
    startEmulatorProcess("cognito", join(stateDir, "cognito"), [edge.url]),
    startSes(join(stateDir, "ses"), edge.url),
    startEmulatorProcess("kubernetes", join(stateDir, "k8s"), [
      String(opts.kubePort ?? envPort("EMBARK_KUBE_PORT", 0)),
    ]).then(([api]) => api!),
  ]);
  for (const emulator of [...dynamodb, ...cognito, ses]) {
    edge.addEmulator(emulator);
    stops.push(emulator.stop);
  }
  edge.addHttpService(sqs);
  stops.push(sqs.stop);
  stops.push(kube.stop);

  await Promise.all(
    ["stepfunctions", "eventbridge", "codepipeline", "scheduler"].map((d) =>
      mkdir(join(stateDir, d), { recursive: true }),
    ),
  );
  const [stepFunctions, eventBridge, codePipeline, scheduler] = await Promise.all([
    createStepFunctionsService(sub("stepfunctions"), { retryIntervalScale: opts.retryIntervalScale }),
    createEventBridgeService(sub("eventbridge")),
    createCodePipelineService(sub("codepipeline"), {
      defaultDurationMs: opts.pipelineDurationMs ?? envNumber("EMBARK_PIPELINE_DURATION_MS"),
    }),
    createSchedulerService(sub("scheduler")),
  ]);
  edge.addJsonService(stepFunctions);
  edge.addJsonService(eventBridge);
  edge.addJsonService(codePipeline);
  const lambdaApi = createLambdaApi(context);
  edge.addHttpService(lambdaApi);
  edge.addHttpService(scheduler);
  stops.push(async () => lambdaApi.stop());
  edge.addHttpService(sesMessagesService(ses.url));
  const s3 = await startS3(join(stateDir, "s3"));
  edge.addHttpService(s3);
  stops.push(stepFunctions.stop, eventBridge.stop, codePipeline.stop, scheduler.stop);

  const web = await startWebServer({
    port: opts.webPort ?? envPort("EMBARK_WEB_PORT", 3000),
    functions,
    routes: [],
    readiness,
  });
  readiness.addService("kubernetes");

  const kubeconfig = join(stateDir, "kubeconfig");
  await writeKubeconfig(kubeconfig, kube.url);

  const endpoints: Endpoints = {
    edge: edge.url,
    web: web.url,
    kubernetes: kube.url,
    kubeconfig,
    sesMessages: `${edge.url}/_aws/ses`,
    stateDir,
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT_ID,
    services: Object.fromEntries(edge.services().map((s) => [s, edge.url])),
  };

  const early: Array<() => Promise<void>> = [];
  let stopped: Promise<void> | undefined;
  const cloud: LocalCloud = {
    endpoints,
    readiness,
    context,
    functions,
    web,
    stepFunctions,
    eventBridge,
    codePipeline,
    scheduler,
    ses,
    onStop: (fn) => early.push(fn),
    stop() {
      stopped ??= (async () => {
        // Consumers first (they call the services), then the services, the web server and the edge.
        await Promise.allSettled(early.map((fn) => fn()));
        await web.stop();
        await Promise.allSettled(stops.reverse().map((fn) => fn()));
        await edge.stop();
      })();
      return stopped;
    },
  };

  if (opts.wire) await opts.wire(cloud);
  // Work a crash or stop left in flight continues once the app's functions are registered, before requests
  // are served. SES first: the sending events it owes join EventBridge's owed deliveries.
  await ses.resumeEvents();
  stepFunctions.resume();
  eventBridge.resume();
  codePipeline.resume();
  functions.resumeAsync();
  await writeFileAtomic(join(stateDir, "endpoints.json"), `${JSON.stringify(endpoints, null, 2)}\n`);
  readiness.markReady();
  return cloud;
}

/** LocalStack-style `/_aws/ses` endpoint: GET lists accepted mail, DELETE clears it. */
function sesMessagesService(sesUrl: string) {
  return {
    signingName: "_aws",
    async handleHttp(
      req: import("node:http").IncomingMessage,
      _body: Buffer,
      res: import("node:http").ServerResponse,
    ): Promise<void> {
      const clear = req.method === "DELETE";
      const upstream = await fetch(clear ? `${sesUrl}/clear-store` : `${sesUrl}/store`, {
        method: clear ? "POST" : "GET",
      });
      const text = await upstream.text();
      res.writeHead(upstream.status, { "content-type": "application/json" });
      res.end(clear ? JSON.stringify({ cleared: true }) : text);
    },
  };
}
