/**
 * Enterprise tenants wait on their deployment pipeline (task token); a failing pipeline fails the tenant with
 * the pipeline's reason, and a redrive after the fix completes it without repeating earlier steps.
 */
import {
  CodePipelineClient,
  GetPipelineExecutionCommand,
  ListPipelineExecutionsCommand,
} from "@aws-sdk/client-codepipeline";
import { DescribeExecutionCommand, RedriveExecutionCommand, SFNClient } from "@aws-sdk/client-sfn";
import { describe, expect, it } from "vitest";
import { CognitoIdentityProvisioner } from "../../core/adapters/identity.js";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import { awsConfig, cloud } from "../support/cloud.js";
import {
  eventually,
  postSignup,
  sentMail,
  uniqueCompany,
  useEmbarkEnvironment,
  waitForExecution,
  waitForTenant,
} from "../support/embark.js";

useEmbarkEnvironment();
const execArn = (name: string) => `arn:aws:states:us-east-1:000000000000:execution:embark-onboarding:${name}`;

/**
 * Local-only CodePipeline operation: how the next runs of a pipeline behave (failure injection). `match`
 * limits it to one tenant's runs, so suites sharing the cloud don't see each other's failures.
 */
async function setPipelineBehaviour(behaviour: { fail?: string; match?: Record<string, string> }) {
  const res = await fetch(cloud().edge, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "CodePipeline_20150709.EmbarkLocalSetBehaviour",
    },
    body: JSON.stringify({ name: LOCAL_NAMES.pipeline, ...behaviour }),
  });
  expect(res.status).toBe(200);
}

async function runsFor(tenantId: string) {
  const cp = new CodePipelineClient(awsConfig());
  const list = await cp.send(new ListPipelineExecutionsCommand({ pipelineName: LOCAL_NAMES.pipeline }));
  const runs = [];
  for (const summary of list.pipelineExecutionSummaries ?? []) {
    const run = await cp.send(
      new GetPipelineExecutionCommand({
        pipelineName: LOCAL_NAMES.pipeline,
        pipelineExecutionId: summary.pipelineExecutionId,
      }),
    );
    if (
      run.pipelineExecution?.variables?.some((v) => v.name === "TENANT_ID" && v.resolvedValue === tenantId)
    ) {
      runs.push(run.pipelineExecution);
    }
  }
  return runs;
}

describe("enterprise onboarding waits on the pipeline", () => {
  it("completes when the pipeline run succeeds", async () => {
    const res = await postSignup({
      companyName: uniqueCompany("Big Bank"),
      adminEmail: "ops@bigbank.test",
      plan: "enterprise",
    });
    expect(res.status).toBe(202);
    const tenant = await waitForTenant(String(res.body.tenantId), ["ACTIVE", "FAILED"]);
    expect(tenant.status).toBe("ACTIVE");
    expect(tenant.steps.find((s) => s.name === "runPipeline")?.status).toBe("done");
    const runs = await runsFor(tenant.tenantId);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe("Succeeded");
    expect(tenant.resources.pipelineExecutionId).toBe(runs[0]?.pipelineExecutionId);
  });

  it("fails with the pipeline's reason, then a redrive after the fix reaches ACTIVE without repeating steps", async () => {
    const slug = `redrive-${Date.now().toString(36)}-${process.pid}`;
    const onlyThisTenant = { TENANT_SLUG: slug };
    await setPipelineBehaviour({ fail: "Deploy stage failed: subnet quota exceeded", match: onlyThisTenant });
    const adminEmail = `ops+${Date.now()}@redrive.test`;
    const res = await postSignup({
      companyName: uniqueCompany("Redrive Inc"),
      adminEmail,
      plan: "enterprise",
      slug,
    });
    const tenantId = String(res.body.tenantId);
    const failed = await waitForTenant(tenantId, ["FAILED", "ACTIVE"]);
    expect(failed.status).toBe("FAILED");
    expect(failed.failure?.step).toBe("runPipeline");
    expect(failed.failure?.error).toBe("PipelineFailed");
    expect(failed.failure?.cause).toContain("subnet quota exceeded");

    const sfn = new SFNClient(awsConfig());
    const executionArn = execArn(`${failed.slug}-onboard-1`);
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe("FAILED");

    await setPipelineBehaviour({ match: onlyThisTenant });
    await sfn.send(new RedriveExecutionCommand({ executionArn }));
    const active = await waitForTenant(tenantId, ["ACTIVE"]);
    expect(active.failure).toBeUndefined();
    const attempts = Object.fromEntries(active.steps.map((s) => [s.name, s.attempts]));
    expect(attempts).toMatchObject({ reserveTenant: 1, createIdentity: 1, setupNamespace: 1 });
    // The tenant turns ACTIVE a moment before the welcome email state ends the execution.
    expect(await waitForExecution(`${failed.slug}-onboard-1`, ["SUCCEEDED", "FAILED"])).toBe("SUCCEEDED");
    const exec = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(exec.redriveCount).toBe(1);

    const runs = await runsFor(tenantId);
    expect(runs.map((r) => r?.status).sort()).toEqual(["Failed", "Succeeded"]);
    expect(await new CognitoIdentityProvisioner().findPoolsForTenant(tenantId)).toHaveLength(1);
    const mail = await eventually(
      async () =>
        (await sentMail()).filter((m) => m.to.includes(adminEmail) && /Welcome to Embark/.test(m.subject)),
      (m) => m.length > 0,
    );
    expect(mail).toHaveLength(1);
  });
});
