/**
 * Where the ops CLI points: real AWS (standard credential chain, optional AWS_ENDPOINT_URL, resource names
 * from the environment) or, when AWS_ENDPOINT_URL is unset and `.local/endpoints.json` exists, the local cloud
 * that `npm start` runs (its edge URL, region and account, and the names the local cloud gives resources).
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { LOCAL_NAMES, STATE_MACHINES } from "../../core/app/resources.js";
import { STATE_MACHINE_NAMES } from "../../core/workflow/names.js";
import { UsageError } from "./errors.js";

export type WorkflowKey = keyof typeof STATE_MACHINE_NAMES;
export const WORKFLOW_KEYS = Object.keys(STATE_MACHINE_NAMES) as WorkflowKey[];

/** The names the local cloud gives the tables (core/app/resources.ts). */
export const LOCAL_RESOURCE_NAMES = {
  tenantsTable: LOCAL_NAMES.table("tenants"),
  plansTable: LOCAL_NAMES.table("plans"),
} as const;
/** The static credentials the local cloud accepts (local/aws/constants.ts). */
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;

export interface OpsTarget {
  mode: "aws" | "local";
  /** One line for --verbose: what the CLI talks to and why. */
  description: string;
  /** Set only for the local cloud; on AWS the SDK reads AWS_ENDPOINT_URL and the region itself. */
  clientConfig: {
    endpoint?: string;
    region?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string };
  };
  tenantsTable?: string;
  plansTable?: string;
  /** State machine ARNs known from configuration; others are looked up by name (ListStateMachines). */
  stateMachineArns: Partial<Record<WorkflowKey, string>>;
  /** For building ARNs of the local cloud's state machines. */
  local?: { region: string; accountId: string };
  /** The cluster's kubeconfig: KUBECONFIG, or the local cloud's (endpoints.json). */
  kubeconfig?: string;
  /** Variables the reconcile command reads (EKS_CLUSTER_NAME, PIPELINE_NAME, the DLQ URLs, …). */
  env: NodeJS.ProcessEnv;
}

/** The variable that names a state machine's ARN, as the functions read it (`PLAN_CHANGE_STATE_MACHINE_ARN`). */
export function stateMachineEnvVar(key: WorkflowKey): string {
  return STATE_MACHINES[key].env;
}

interface LocalEndpoints {
  edge: string;
  region: string;
  accountId: string;
  kubeconfig?: string;
}

export function resolveTarget(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): OpsTarget {
  const fromEnv = Object.fromEntries(
    WORKFLOW_KEYS.filter((k) => env[stateMachineEnvVar(k)]).map((k) => [
      k,
      env[stateMachineEnvVar(k)] as string,
    ]),
  ) as Partial<Record<WorkflowKey, string>>;
  const endpointsFile = resolve(cwd, env.EMBARK_STATE_DIR ?? ".local", "endpoints.json");

  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const maxAttempts = env.AWS_MAX_ATTEMPTS ? Number(env.AWS_MAX_ATTEMPTS) : undefined;

  if (env.AWS_ENDPOINT_URL || !existsSync(endpointsFile)) {
    const where = env.AWS_ENDPOINT_URL
      ? `endpoint ${env.AWS_ENDPOINT_URL} (AWS_ENDPOINT_URL)`
      : "AWS (default endpoints; no AWS_ENDPOINT_URL and no .local/endpoints.json)";
    return {
      mode: "aws",
      description: `${where}, region ${region ?? "from the AWS profile"}`,
      // Explicit (not left to the SDK's own reading of process.env) so the env given here decides.
      clientConfig: {
        ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}),
        ...(region ? { region } : {}),
        ...(maxAttempts ? { maxAttempts } : {}),
      },
      tenantsTable: env.TENANTS_TABLE,
      plansTable: env.PLANS_TABLE,
      stateMachineArns: fromEnv,
      kubeconfig: env.KUBECONFIG,
      env,
    };
  }

  const local = readEndpoints(endpointsFile);
  const arn = (name: string) => `arn:aws:states:${local.region}:${local.accountId}:stateMachine:${name}`;
  return {
    mode: "local",
    description: `local cloud at ${local.edge} (from ${endpointsFile}; AWS_ENDPOINT_URL is unset)`,
    clientConfig: {
      endpoint: local.edge,
      region: local.region,
      ...(maxAttempts ? { maxAttempts } : {}),
      credentials: { ...LOCAL_CREDENTIALS },
    },
    tenantsTable: env.TENANTS_TABLE ?? LOCAL_RESOURCE_NAMES.tenantsTable,
    plansTable: env.PLANS_TABLE ?? LOCAL_RESOURCE_NAMES.plansTable,
    stateMachineArns: {
      ...Object.fromEntries(WORKFLOW_KEYS.map((k) => [k, arn(STATE_MACHINE_NAMES[k])])),
      ...fromEnv,
    },
    local: { region: local.region, accountId: local.accountId },
    kubeconfig: env.KUBECONFIG ?? local.kubeconfig,
    env,
  };
}

function readEndpoints(file: string): LocalEndpoints {
  let parsed: Partial<LocalEndpoints>;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<LocalEndpoints>;
  } catch (err) {
    throw new Error(`Cannot read ${file}: ${(err as Error).message}`);
  }
  if (
    typeof parsed.edge !== "string" ||
    typeof parsed.region !== "string" ||
    typeof parsed.accountId !== "string"
  ) {
    throw new Error(`${file} lacks edge/region/accountId; restart the local cloud (npm start)`);
  }
  return {
    edge: parsed.edge,
    region: parsed.region,
    accountId: parsed.accountId,
    ...(typeof parsed.kubeconfig === "string" ? { kubeconfig: parsed.kubeconfig } : {}),
  };
}

/** A configured name, or a usage error saying which variable to set. */
export function requireName(value: string | undefined, variable: string): string {
  if (!value) {
    throw new UsageError(
      `${variable} is not set: pass --stage <stage> for a deployed stage, point AWS_ENDPOINT_URL at a running local cloud (npm start), or set ${variable}`,
    );
  }
  return value;
}
