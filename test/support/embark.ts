/** Helpers for end-to-end tests of Embark on the local cloud: real HTTP, real AWS SDK clients, real kubectl. */
import { setTimeout as sleep } from "node:timers/promises";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import type { PublicTenantView } from "../../core/tenant/model.js";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../local/aws/constants.js";
import { cloud } from "./cloud.js";

/** Points this test worker's AWS clients and core adapters at the local cloud, as the functions are. */
export function useEmbarkEnvironment(): void {
  const c = cloud();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: c.edge,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    TENANTS_TABLE: LOCAL_NAMES.table("tenants"),
    PLANS_TABLE: LOCAL_NAMES.table("plans"),
    IDEMPOTENCY_TABLE: LOCAL_NAMES.table("idempotency"),
    RATE_LIMITS_TABLE: LOCAL_NAMES.table("rateLimits"),
    PIPELINE_NAME: LOCAL_NAMES.pipeline,
    KUBECONFIG: c.kubeconfig,
    POWERTOOLS_METRICS_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: "SILENT",
  });
}

let counter = 0;
/** A company name unique to this run, so suites sharing one cloud never collide. */
export function uniqueCompany(prefix: string): string {
  counter += 1;
  return `${prefix} ${Date.now().toString(36)}${process.pid.toString(36)}${counter}`;
}

export async function postSignup(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${cloud().web}/signups`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } },
  };
}

export async function getTenant(id: string): Promise<{ status: number; body: PublicTenantView }> {
  const res = await fetch(`${cloud().web}/tenants/${encodeURIComponent(id)}`);
  return { status: res.status, body: (await res.json()) as PublicTenantView };
}

/** Polls GET /tenants/{id} until the tenant reaches one of `statuses` (bounded). */
export async function waitForTenant(
  id: string,
  statuses: string[],
  timeoutMs = 30_000,
): Promise<PublicTenantView> {
  const deadline = Date.now() + timeoutMs;
  let last: PublicTenantView | undefined;
  while (Date.now() < deadline) {
    const { status, body } = await getTenant(id);
    if (status === 200) {
      last = body;
      if (statuses.includes(body.status)) return body;
    }
    await sleep(100);
  }
  throw new Error(
    `tenant ${id} did not reach ${statuses.join("|")} in ${timeoutMs} ms; last: ${JSON.stringify(last)}`,
  );
}

/** Mail the local SES accepted, read like LocalStack's /_aws/ses. */
export async function sentMail(): Promise<
  Array<{ to: string[]; subject: string; html: string; text: string }>
> {
  const res = await fetch(cloud().sesMessages);
  const store = (await res.json()) as { emails?: Array<Record<string, unknown>> };
  return (store.emails ?? []).map((e) => ({
    to: toList(e.destination ?? e.to),
    subject: String(e.subject ?? ""),
    html: String((e.body as { html?: string } | undefined)?.html ?? e.html ?? ""),
    text: String((e.body as { text?: string } | undefined)?.text ?? e.text ?? ""),
  }));
}

function toList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (v && typeof v === "object") return Object.values(v).flatMap(toList);
  return typeof v === "string" ? [v] : [];
}

export async function eventually<T>(
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await fn();
  while (!ok(v) && Date.now() < deadline) {
    await sleep(100);
    v = await fn();
  }
  return v;
}

/** Polls DescribeExecution (real SDK) until the onboarding execution of `name` reaches one of `statuses`. */
export async function waitForExecution(
  name: string,
  statuses: string[],
  timeoutMs = 30_000,
): Promise<string> {
  const { DescribeExecutionCommand, SFNClient } = await import("@aws-sdk/client-sfn");
  const { awsConfig } = await import("./cloud.js");
  const sfn = new SFNClient(awsConfig());
  const executionArn = `arn:aws:states:us-east-1:000000000000:execution:embark-onboarding:${name}`;
  const status = await eventually(
    async () => (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status ?? "",
    (s) => statuses.includes(s),
    timeoutMs,
  );
  return status;
}
