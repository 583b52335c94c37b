/**
 * Enterprise tenants wait on their deployment pipeline (task token); a failing pipeline fails the tenant with
 * the pipeline's reason, and a redrive after the fix completes it without repeating earlier steps.
 */
import { DescribeExecutionCommand, RedriveExecutionCommand, SFNClient } from "@aws-sdk/client-sfn";
import { describe, expect, it } from "vitest";
import { CognitoIdentityProvisioner } from "../../core/adapters/identity.js";
import { awsConfig } from "../support/cloud.js";
import {
  eventually,
  postSignup,
  sentMail,
  uniqueCompany,
  useEmbarkEnvironment,
  waitForExecution,
  waitForTenant,
} from "../support/embark.js";
import { pipelineRunsOf, signUpEnterpriseFailingInPipeline } from "../support/pipeline.js";

useEmbarkEnvironment();
const execArn = (name: string) => `arn:aws:states:us-east-1:000000000000:execution:embark-onboarding:${name}`;

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
    const runs = await pipelineRunsOf(tenant.tenantId);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe("Succeeded");
    expect(tenant.resources.pipelineExecutionId).toBe(runs[0]?.pipelineExecutionId);
  });

  it("fails with the pipeline's reason, then a redrive after the fix reaches ACTIVE without repeating steps", async () => {
    const adminEmail = `ops+${Date.now()}@redrive.test`;
    const {
      tenantId,
      tenant: failed,
      fixPipeline,
    } = await signUpEnterpriseFailingInPipeline({
      companyName: uniqueCompany("Redrive Inc"),
      adminEmail,
      slug: `redrive-${Date.now().toString(36)}-${process.pid}`,
      reason: "Deploy stage failed: subnet quota exceeded",
    });
    expect(failed.status).toBe("FAILED");
    expect(failed.failure?.step).toBe("runPipeline");
    expect(failed.failure?.error).toBe("PipelineFailed");
    expect(failed.failure?.cause).toContain("subnet quota exceeded");

    const sfn = new SFNClient(awsConfig());
    const executionArn = execArn(`${failed.slug}-onboard-1`);
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe("FAILED");

    await fixPipeline();
    await sfn.send(new RedriveExecutionCommand({ executionArn }));
    const active = await waitForTenant(tenantId, ["ACTIVE"]);
    expect(active.failure).toBeUndefined();
    const attempts = Object.fromEntries(active.steps.map((s) => [s.name, s.attempts]));
    expect(attempts).toMatchObject({ reserveTenant: 1, createIdentity: 1, setupNamespace: 1 });
    // The tenant turns ACTIVE a moment before the welcome email state ends the execution.
    expect(await waitForExecution(`${failed.slug}-onboard-1`, ["SUCCEEDED", "FAILED"])).toBe("SUCCEEDED");
    const exec = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(exec.redriveCount).toBe(1);

    const runs = await pipelineRunsOf(tenantId);
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
