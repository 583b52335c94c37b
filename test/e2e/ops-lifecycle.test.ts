/**
 * The ops CLI's lifecycle commands, run as a process against the local cloud (AWS_ENDPOINT_URL = the edge),
 * on a tenant that signed up through the form (so it has no billing customer at all).
 */
import {
  CognitoIdentityProviderClient,
  DeleteUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { beforeAll, describe, expect, it } from "vitest";
import { tenantRecord, waitForRecord } from "../support/billing.js";
import { awsConfig } from "../support/cloud.js";
import { postSignup, uniqueCompany, waitForTenant } from "../support/embark.js";
import { opsAwsEnv, runOpsCli } from "../support/ops-cli.js";

const ops = (...args: string[]) => runOpsCli(args, { ...process.env, ...opsAwsEnv(), NODE_NO_WARNINGS: "1" });

describe("ops lifecycle commands", () => {
  let tenantId: string;
  let slug: string;

  beforeAll(async () => {
    const res = await postSignup({
      companyName: uniqueCompany("Ops Handled"),
      adminEmail: `ops+${Date.now()}@cli.test`,
      plan: "standard",
    });
    expect(res.status).toBe(202);
    tenantId = String(res.body.tenantId);
    slug = (await waitForTenant(tenantId, ["ACTIVE"])).slug;
  });

  it("change-plan moves the tenant to another plan and waits for the workflow", async () => {
    const r = await ops("change-plan", slug, "free", "--wait");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${slug}-plan-change-1`);
    expect(r.stdout).toMatch(/Execution status:\s+SUCCEEDED/);
    expect(r.stdout).toMatch(/Outcome:\s+started: plan standard → free/);
    expect((await tenantRecord(tenantId))?.plan).toBe("free");
  });

  it("suspend suspends at once (--json for scripts); a second suspend has nothing to do", async () => {
    const r = await ops("suspend", slug, "--wait", "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      tenant: slug,
      outcome: "started",
      execution: `${slug}-suspend-1`,
      status: "SUCCEEDED",
    });
    expect((await tenantRecord(tenantId))?.status).toBe("SUSPENDED");
    const again = await ops("suspend", slug);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/recorded: payment failed; the tenant is already SUSPENDED/);
  });

  it("reactivate brings it back", async () => {
    const r = await ops("reactivate", slug, "--wait");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${slug}-reactivate-1`);
    expect((await tenantRecord(tenantId))?.status).toBe("ACTIVE");
  });

  it("a lifecycle workflow that fails is recorded on the tenant (status left as the failed step left it)", async () => {
    // Break the tenant out of band: its user pool is gone, so "Disable sign-in" cannot succeed.
    const cognito = new CognitoIdentityProviderClient(awsConfig());
    const userPoolId = (await tenantRecord(tenantId))?.resources.userPoolId;
    await cognito.send(new DeleteUserPoolCommand({ UserPoolId: userPoolId }));

    const r = await ops("suspend", slug, "--wait");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${slug}-suspend-2 ended FAILED`);
    const record = await waitForRecord(tenantId, (t) => t.workflowFailure !== undefined);
    expect(record.status).toBe("SUSPENDED");
    expect(record.workflowFailure).toMatchObject({
      workflow: "suspend",
      execution: `${slug}-suspend-2`,
      step: "Disable sign-in",
      error: "ResourceNotFoundException",
    });
  });

  it("unknown tenants and plans exit 3", async () => {
    expect((await ops("change-plan", slug, "platinum")).code).toBe(3);
    const r = await ops("offboard", "no-such-tenant");
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('No tenant with id or slug "no-such-tenant"');
  });

  it("offboard cancels, then purges after the grace period (a pool already gone is fine); afterwards lifecycle commands are refused", async () => {
    expect((await ops("offboard", slug, "--grace", "soon")).stderr).toContain(
      "--grace must be a whole number",
    );
    const r = await ops("offboard", slug, "--grace", "1", "--wait");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${slug}-cancel-1`);
    expect(r.stdout).toContain(`${slug}-offboard-1`);
    expect((await tenantRecord(tenantId))?.status).toBe("OFFBOARDED");
    const restore = await ops("restore", slug);
    expect(restore.code).toBe(2);
    expect(restore.stderr).toContain(`Cannot restore ${slug}: nothing to restore: the tenant was purged`);
    const late = await ops("suspend", slug);
    expect(late.code).toBe(2);
    expect(late.stderr).toContain(`Cannot suspend ${slug}: the tenant is OFFBOARDED`);
  });
});
