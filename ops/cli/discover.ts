/**
 * Finds what the ops CLI talks to before a command runs, for the two cases resolveTarget (target.ts) cannot
 * tell from the environment alone:
 * - AWS_ENDPOINT_URL points at an Embark local cloud's edge (it answers `/_embark/health`): that cloud's names
 *   (core/app/resources.ts LOCAL_NAMES), its region and account, its static credentials;
 * - `--stage <stage>` (or EMBARK_STAGE) on AWS: the names the stage published in the SSM parameter
 *   `/embark/<stage>/resources` (stacks/index.ts), since SST suffixes table and queue names.
 * Variables set explicitly (TENANTS_TABLE, PLANS_TABLE, *_STATE_MACHINE_ARN) still win.
 */
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { LOCAL_NAMES, type StageResources, stageResourcesParameter } from "../../core/app/resources.js";
import { STATE_MACHINE_NAMES } from "../../core/workflow/names.js";
import { awsErrorName } from "../read/aws-errors.js";
import { NotFoundError } from "./errors.js";
import {
  type OpsTarget,
  resolveTarget,
  stateMachineEnvVar,
  WORKFLOW_KEYS,
  type WorkflowKey,
} from "./target.js";

const LOCAL_ACCOUNT = "000000000000";
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;

/** Whether `endpoint` is an Embark local cloud's edge (answers its health path with its service list). */
export async function isLocalEdge(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(new URL("/_embark/health", endpoint), { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { services?: unknown };
    return typeof body.services === "object" && body.services !== null;
  } catch {
    return false;
  }
}

export async function discoverTarget(
  env: NodeJS.ProcessEnv,
  cwd: string,
  opts: { stage?: string } = {},
): Promise<OpsTarget> {
  const base = resolveTarget(env, cwd);
  const stage = opts.stage ?? env.EMBARK_STAGE;
  if (stage) return stageTarget(base, stage, env);
  const endpoint = env.AWS_ENDPOINT_URL;
  if (base.mode === "aws" && endpoint && (await isLocalEdge(endpoint)))
    return localEdgeTarget(base, endpoint, env);
  return base;
}

function configured(env: NodeJS.ProcessEnv): Partial<Record<WorkflowKey, string>> {
  return Object.fromEntries(
    WORKFLOW_KEYS.filter((k) => env[stateMachineEnvVar(k)]).map((k) => [
      k,
      env[stateMachineEnvVar(k)] as string,
    ]),
  );
}

function localEdgeTarget(base: OpsTarget, endpoint: string, env: NodeJS.ProcessEnv): OpsTarget {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
  const arn = (k: WorkflowKey) =>
    `arn:aws:states:${region}:${LOCAL_ACCOUNT}:stateMachine:${STATE_MACHINE_NAMES[k]}`;
  return {
    mode: "local",
    description: `local cloud at ${endpoint} (AWS_ENDPOINT_URL answers as an Embark edge), region ${region}`,
    clientConfig: {
      ...base.clientConfig,
      endpoint,
      region,
      ...(env.AWS_ACCESS_KEY_ID ? {} : { credentials: { ...LOCAL_CREDENTIALS } }),
    },
    tenantsTable: env.TENANTS_TABLE ?? LOCAL_NAMES.table("tenants"),
    plansTable: env.PLANS_TABLE ?? LOCAL_NAMES.table("plans"),
    stateMachineArns: { ...Object.fromEntries(WORKFLOW_KEYS.map((k) => [k, arn(k)])), ...configured(env) },
    local: { region, accountId: LOCAL_ACCOUNT },
    kubeconfig: env.KUBECONFIG ?? base.kubeconfig,
    env,
  };
}

async function stageTarget(base: OpsTarget, stage: string, env: NodeJS.ProcessEnv): Promise<OpsTarget> {
  const name = stageResourcesParameter(stage);
  const ssm = new SSMClient(base.clientConfig);
  let value: string | undefined;
  try {
    value = (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } catch (err) {
    if (awsErrorName(err) !== "ParameterNotFound") throw err;
  } finally {
    ssm.destroy();
  }
  const where = base.clientConfig.region ?? env.AWS_REGION ?? "the profile's region";
  if (!value) {
    throw new NotFoundError(
      `No Embark stage "${stage}" in ${where}: the SSM parameter ${name} (written by \`npx sst deploy --stage ${stage}\`) does not exist. Check the stage name, AWS_REGION and the AWS profile.`,
    );
  }
  const r = JSON.parse(value) as Partial<StageResources>;
  const missing = (what: string, key: string) =>
    new NotFoundError(`Stage "${stage}" publishes no ${what} "${key}" in ${name}; redeploy the stage`);
  const tenantsTable = env.TENANTS_TABLE ?? r.tables?.tenants;
  const plansTable = env.PLANS_TABLE ?? r.tables?.plans;
  if (!tenantsTable) throw missing("table", "tenants");
  if (!plansTable) throw missing("table", "plans");
  return {
    ...base,
    mode: "aws",
    description: `stage ${stage} (from ${name}) in ${where}`,
    tenantsTable,
    plansTable,
    stateMachineArns: { ...(r.stateMachines ?? {}), ...configured(env) },
  };
}
