/**
 * Embark's deployment pipeline on the local cloud, as the suites drive it: failure injection (a local-only
 * CodePipeline operation), the runs of one tenant, and an enterprise signup whose pipeline run fails.
 */
import {
  CodePipelineClient,
  GetPipelineExecutionCommand,
  ListPipelineExecutionsCommand,
  type PipelineExecution,
} from "@aws-sdk/client-codepipeline";
import { expect } from "vitest";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import type { PublicTenantView } from "../../core/tenant/model.js";
import { awsConfig, cloud } from "./cloud.js";
import { postSignup, waitForTenant } from "./embark.js";

export interface PipelineBehaviour {
  /** How long each run's action takes. */
  durationMs?: number;
  /** Fail the runs with this reason; left out, they succeed. */
  fail?: string;
  /** Only runs whose variables have these values behave so (suites share one cloud). */
  match?: Record<string, string>;
}

/**
 * Local-only CodePipeline operation (local/codepipeline/service.ts), sent as any JSON-protocol client would (the
 * edge routes it by X-Amz-Target): how the next runs of the pipeline `name` behave.
 */
export async function setLocalPipelineBehaviour(name: string, behaviour: PipelineBehaviour): Promise<void> {
  const res = await fetch(cloud().edge, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "CodePipeline_20150709.EmbarkLocalSetBehaviour",
    },
    body: JSON.stringify({ name, ...behaviour }),
  });
  expect(res.status).toBe(200);
}

/** How the next runs of Embark's own pipeline behave; pass `match` so other suites' tenants are not affected. */
export const setPipelineBehaviour = (behaviour: PipelineBehaviour) =>
  setLocalPipelineBehaviour(LOCAL_NAMES.pipeline, behaviour);

export type TenantPipelineRun = PipelineExecution & { vars: Record<string, string | undefined> };

/** The runs of Embark's pipeline for one tenant (by its TENANT_ID variable), through the real CodePipeline API. */
export async function pipelineRunsOf(tenantId: string): Promise<TenantPipelineRun[]> {
  const cp = new CodePipelineClient(awsConfig());
  const pipelineName = LOCAL_NAMES.pipeline;
  const list = await cp.send(new ListPipelineExecutionsCommand({ pipelineName }));
  const runs: TenantPipelineRun[] = [];
  for (const { pipelineExecutionId } of list.pipelineExecutionSummaries ?? []) {
    const { pipelineExecution } = await cp.send(
      new GetPipelineExecutionCommand({ pipelineName, pipelineExecutionId }),
    );
    const vars = Object.fromEntries(
      (pipelineExecution?.variables ?? []).map((v) => [v.name, v.resolvedValue]),
    );
    if (vars.TENANT_ID === tenantId) runs.push({ ...pipelineExecution, vars });
  }
  return runs;
}

/**
 * Signs an enterprise tenant up (POST /signups) while its pipeline runs fail with `reason`, and waits until the
 * tenant settles (FAILED, or ACTIVE should the failure not take). `fixPipeline()` lets its next runs succeed.
 */
export async function signUpEnterpriseFailingInPipeline(signup: {
  companyName: string;
  adminEmail: string;
  slug: string;
  reason: string;
}): Promise<{ tenantId: string; tenant: PublicTenantView; fixPipeline: () => Promise<void> }> {
  const { reason, ...form } = signup;
  const onlyThisTenant = { TENANT_SLUG: signup.slug };
  await setPipelineBehaviour({ fail: reason, match: onlyThisTenant });
  const res = await postSignup({ ...form, plan: "enterprise" });
  const tenantId = String(res.body.tenantId);
  return {
    tenantId,
    tenant: await waitForTenant(tenantId, ["FAILED", "ACTIVE"]),
    fixPipeline: () => setPipelineBehaviour({ match: onlyThisTenant }),
  };
}
