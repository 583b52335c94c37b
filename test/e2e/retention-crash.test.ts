/**
 * Retention across a kill -9 of the local cloud (issue 14): `npm start`'s process (local/main.ts, Embark
 * mounted) killed with SIGKILL during the grace period, and again during the purge, then started on the same
 * state directory. The purge still happens exactly once (one `<slug>-offboard-1` execution, one receipt email)
 * and never before `purgeAfter`. The grace period is a few seconds (EMBARK_OFFBOARD_GRACE_SECONDS).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ListExecutionsCommand, ListStateMachinesCommand, SFNClient } from "@aws-sdk/client-sfn";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoTenantStore } from "../../core/adapters/tenant-store.js";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import type { Tenant } from "../../core/tenant/model.js";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../local/aws/constants.js";
import { CloudProcess } from "../support/cloud-process.js";
import { runOpsCli } from "../support/ops-cli.js";

const GRACE_SECONDS = 8;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `npm start` (test/support/cloud-process.ts), with what these tests ask of Embark through its APIs. */
class EmbarkProcess {
  private constructor(readonly proc: CloudProcess) {}

  static async start(): Promise<EmbarkProcess> {
    const cloud = await CloudProcess.create({
      env: { EMBARK_OFFBOARD_GRACE_SECONDS: String(GRACE_SECONDS), POWERTOOLS_LOG_LEVEL: "WARN" },
    });
    await cloud.start({ fresh: true });
    return new EmbarkProcess(cloud);
  }

  get endpoints() {
    return this.proc.endpoints;
  }

  private config() {
    return { endpoint: this.endpoints.edge, region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS } };
  }

  async tenant(tenantId: string): Promise<Tenant | undefined> {
    const docs = DynamoDBDocumentClient.from(new DynamoDBClient(this.config()));
    return new DynamoTenantStore(docs, LOCAL_NAMES.table("tenants")).get(tenantId);
  }

  async offboardExecutions(slug: string) {
    const sfn = new SFNClient(this.config());
    const machines = await sfn.send(new ListStateMachinesCommand({}));
    const arn = machines.stateMachines?.find(
      (m) => m.name === LOCAL_NAMES.stateMachine("offboard"),
    )?.stateMachineArn;
    const out = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 1000 }));
    return (out.executions ?? []).filter((e) => e.name?.startsWith(`${slug}-offboard-`));
  }

  async receipts(slug: string): Promise<number> {
    const store = (await (await fetch(this.endpoints.sesMessages)).json()) as {
      emails?: Array<{ subject?: string }>;
    };
    return (store.emails ?? []).filter(
      (e) => e.subject === `Deletion receipt for the Embark workspace ${slug}`,
    ).length;
  }

  ops(...args: string[]) {
    return runOpsCli(args, {
      ...process.env,
      NODE_NO_WARNINGS: "1",
      AWS_ENDPOINT_URL: this.endpoints.edge,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      TENANTS_TABLE: LOCAL_NAMES.table("tenants"),
      PLANS_TABLE: LOCAL_NAMES.table("plans"),
    });
  }

  /** Polls the record until `ok` (bounded). */
  async until(
    tenantId: string,
    ok: (t: Tenant | undefined) => boolean,
    ms = 120_000,
  ): Promise<Tenant | undefined> {
    const deadline = Date.now() + ms;
    let t = await this.tenant(tenantId).catch(() => undefined);
    while (!ok(t) && Date.now() < deadline) {
      await sleep(100);
      t = await this.tenant(tenantId).catch(() => undefined);
    }
    return t;
  }

  /** A standard tenant signed up and ACTIVE. */
  async activeTenant(name: string): Promise<{ tenantId: string; slug: string }> {
    const res = await fetch(`${this.endpoints.web}/signups`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        companyName: `${name} ${Date.now()}`,
        adminEmail: `ops+${Date.now()}@crash.test`,
        plan: "standard",
      }),
    });
    const { tenantId } = (await res.json()) as { tenantId: string };
    const t = await this.until(tenantId, (x) => x?.status === "ACTIVE");
    expect(t?.status).toBe("ACTIVE");
    return { tenantId, slug: t!.slug };
  }
}

describe("retention across a kill -9 of the local cloud", () => {
  let cloud: EmbarkProcess;

  beforeAll(async () => {
    cloud = await EmbarkProcess.start();
  }, 180_000);

  afterAll(async () => {
    await cloud?.proc.dispose();
  });

  it("killed during the grace period: the purge happens once, after purgeAfter", async () => {
    const { tenantId, slug } = await cloud.activeTenant("Grace Kill");
    const cancel = await cloud.ops("offboard", slug, "--confirm", slug);
    expect(cancel.code, cancel.stderr).toBe(0);
    const cancelled = await cloud.until(tenantId, (t) => t?.status === "CANCELLED" && t.export !== undefined);
    expect(cancelled?.status).toBe("CANCELLED");
    const purgeAfter = Date.parse(String(cancelled?.purgeAfter));
    expect(purgeAfter).toBeGreaterThan(Date.now());

    await cloud.proc.kill();
    await cloud.proc.start();

    const done = await cloud.until(tenantId, (t) => t?.status === "OFFBOARDED", 150_000);
    expect(done?.status).toBe("OFFBOARDED");
    expect(Date.parse(String(done?.offboardingStartedAt))).toBeGreaterThanOrEqual(purgeAfter);
    expect(done?.receipt?.export?.location).toBe(cancelled?.export?.location);
    await sleep(3000); // time for a duplicate to show, if there were one
    expect((await cloud.offboardExecutions(slug)).map((e) => [e.name, e.status])).toEqual([
      [`${slug}-offboard-1`, "SUCCEEDED"],
    ]);
    const receipts = async () => cloud.receipts(slug);
    const deadline = Date.now() + 30_000;
    while ((await receipts()) < 1 && Date.now() < deadline) await sleep(200);
    expect(await receipts()).toBe(1);
  }, 420_000);

  it("killed during the purge: the purge completes exactly once", async () => {
    const { tenantId, slug } = await cloud.activeTenant("Purge Kill");
    const cancel = await cloud.ops("offboard", slug, "--confirm", slug);
    expect(cancel.code, cancel.stderr).toBe(0);
    const purging = await cloud.until(
      tenantId,
      (t) => t?.status === "OFFBOARDING" || t?.status === "OFFBOARDED",
      150_000,
    );
    // Killed as soon as the purge began (OFFBOARDING), or just after it ended on a fast machine.
    await cloud.proc.kill();
    expect(["OFFBOARDING", "OFFBOARDED"]).toContain(purging?.status);
    await cloud.proc.start();

    const done = await cloud.until(tenantId, (t) => t?.status === "OFFBOARDED", 150_000);
    expect(done?.status).toBe("OFFBOARDED");
    await sleep(3000);
    expect((await cloud.offboardExecutions(slug)).map((e) => [e.name, e.status])).toEqual([
      [`${slug}-offboard-1`, "SUCCEEDED"],
    ]);
    const deadline = Date.now() + 30_000;
    while ((await cloud.receipts(slug)) < 1 && Date.now() < deadline) await sleep(200);
    expect(await cloud.receipts(slug)).toBe(1);
  }, 420_000);
});
