/**
 * Signup → ACTIVE tenant, end to end on the local cloud through real clients: HTTP to the web port, the AWS
 * SDK v3 against the edge, @kubernetes/client-node against the Kubernetes stand-in, the SES store.
 */
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from "@aws-sdk/client-sfn";
import { CoreV1Api, NetworkingV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { kubeConfigFor } from "../../local/k8s/kubeconfig.js";
import { awsConfig, cloud } from "../support/cloud.js";
import { postSignup, sentMail, uniqueCompany, waitForExecution, waitForTenant } from "../support/embark.js";

const execArn = (name: string) => `arn:aws:states:us-east-1:000000000000:execution:embark-onboarding:${name}`;

describe("onboarding a standard tenant", () => {
  // Markup (< >) is refused at signup; the characters HTML still needs escaped are allowed.
  const company = uniqueCompany(`Acme & "Corp's"`);
  const email = `ops+${Date.now()}@acme.test`;
  let tenantId: string;
  let slug: string;

  beforeAll(async () => {
    const res = await postSignup({ companyName: company, adminEmail: email, plan: "standard" });
    expect(res.status).toBe(202);
    tenantId = String(res.body.tenantId);
    slug = String(res.body.slug);
    expect(res.body.statusUrl).toBe(`/tenants/${tenantId}`);
    // The tenant turns ACTIVE a moment before the execution's last state ends.
    await waitForTenant(tenantId, ["ACTIVE", "FAILED"]);
    expect(await waitForExecution(`${slug}-onboard-1`, ["SUCCEEDED", "FAILED"])).toBe("SUCCEEDED");
  });

  it("reaches ACTIVE with every step done and no secrets in the status", async () => {
    const tenant = await waitForTenant(tenantId, ["ACTIVE", "FAILED"]);
    expect(tenant.status).toBe("ACTIVE");
    const byName = Object.fromEntries(tenant.steps.map((s) => [s.name, s.status]));
    expect(byName).toMatchObject({
      reserveTenant: "done",
      createIdentity: "done",
      setupNamespace: "done",
      runPipeline: "skipped",
      activateTenant: "done",
    });
    expect(tenant.resources.namespace).toBe(`tenant-${slug}`);
    expect(JSON.stringify(tenant)).not.toMatch(/password|token/i);
  });

  it("has a SUCCEEDED execution named <slug>-onboard-1 with readable history", async () => {
    const sfn = new SFNClient(awsConfig());
    const exec = await sfn.send(new DescribeExecutionCommand({ executionArn: execArn(`${slug}-onboard-1`) }));
    expect(exec.status).toBe("SUCCEEDED");
    expect(JSON.parse(exec.output ?? "{}")).toMatchObject({ tenantId, slug, status: "ACTIVE" });
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: exec.executionArn }));
    const entered = (history.events ?? []).flatMap((e) =>
      e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : [],
    );
    expect(entered).toEqual(
      expect.arrayContaining([
        "Reserve tenant",
        "Create identity",
        "Set up namespace",
        "Activate tenant",
        "Publish tenant events",
        "Send welcome email",
      ]),
    );
    expect(entered).not.toContain("Run deployment pipeline");
    expect(JSON.stringify(history.events)).not.toMatch(/password/i);
  });

  it("created one user pool tagged with the tenant and its admin user", async () => {
    const view = await waitForTenant(tenantId, ["ACTIVE"]);
    const cognito = new CognitoIdentityProviderClient(awsConfig());
    const pool = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: view.resources.userPoolId }));
    expect(pool.UserPool?.UserPoolTags?.["embark:tenant-id"]).toBe(tenantId);
    const users = await cognito.send(new ListUsersCommand({ UserPoolId: view.resources.userPoolId }));
    expect(users.Users).toHaveLength(1);
    expect(users.Users?.[0]?.Attributes?.find((a) => a.Name === "email")?.Value).toBe(email);
  });

  it("set up the namespace with quota, limits, three network policies, role and binding", async () => {
    const kc = kubeConfigFor(cloud().kubernetes);
    const ns = `tenant-${slug}`;
    const core = kc.makeApiClient(CoreV1Api);
    const namespace = await core.readNamespace({ name: ns });
    expect(namespace.metadata?.labels?.["embark.io/tenant-id"]).toBe(tenantId);
    expect(namespace.metadata?.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    expect((await core.listNamespacedResourceQuota({ namespace: ns })).items).toHaveLength(1);
    const limits = (await core.listNamespacedLimitRange({ namespace: ns })).items;
    expect(limits[0]?.spec?.limits[0]?._default).toBeDefined();
    const policies = (await kc.makeApiClient(NetworkingV1Api).listNamespacedNetworkPolicy({ namespace: ns }))
      .items;
    expect(policies.map((p) => p.metadata?.name).sort()).toEqual([
      "allow-dns-egress",
      "allow-same-namespace",
      "default-deny-all",
    ]);
    const same = policies.find((p) => p.metadata?.name === "allow-same-namespace");
    expect(same?.spec?.ingress?.[0]?._from).toEqual([{ podSelector: {} }]);
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    expect((await rbac.listNamespacedRole({ namespace: ns })).items).toHaveLength(1);
    expect((await rbac.listNamespacedRoleBinding({ namespace: ns })).items).toHaveLength(1);
  });

  it("sent exactly one welcome email, with the company name escaped", async () => {
    await waitForTenant(tenantId, ["ACTIVE"]);
    const deadline = Date.now() + 10_000;
    let mine = (await sentMail()).filter((m) => m.to.includes(email) && /Welcome to Embark/.test(m.subject));
    while (mine.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      mine = (await sentMail()).filter((m) => m.to.includes(email) && /Welcome to Embark/.test(m.subject));
    }
    expect(mine).toHaveLength(1);
    expect(mine[0]?.html).toContain("Acme &amp; &quot;Corp&#39;s&quot;");
    expect(mine[0]?.html).not.toContain(`Acme & "Corp's"`);
  });
});
