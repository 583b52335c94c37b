/** Reading the resources sst-mocks.ts recorded: functions, their roles' policies, queues, rules. */
import type { RecordedResource, SstRun } from "./sst-mocks.js";

/** Settings of the stage the infra tests deploy (SST secrets; see stacks/config.ts). */
export const TEST_SECRETS = {
  SenderEmail: "Embark <no-reply@mail.example.com>",
  EksClusterName: "tenants",
  EksTenantAdminRoleArn: "arn:aws:iam::123456789012:role/tenant-{slug}-admin",
  PipelineName: "tenant-pipeline",
  AlarmEmail: "ops@example.com",
  StripeWebhookSecret: "whsec_test",
  StripePartnerEventBus: "aws.partner/stripe.com/ed_test",
};
export const TEST_STAGE = "prod";

export interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
}

const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

export function lambdaFunction(run: SstRun, name: string): RecordedResource {
  const physical = `embark-${TEST_STAGE}-${name}`;
  const found = run.ofType("aws:lambda/function:Function").find((r) => r.inputs.name === physical);
  if (!found) throw new Error(`no Lambda function named ${physical}`);
  return found;
}

export function roleByArn(run: SstRun, arn: string): RecordedResource {
  const found = run.ofType("aws:iam/role:Role").find((r) => r.state.arn === arn);
  if (!found) throw new Error(`no role with ARN ${arn}`);
  return found;
}

/** Every statement of a role: inline policies only (the tests also assert there are no managed ones). */
export function roleStatements(role: RecordedResource): PolicyStatement[] {
  return (role.inputs.inlinePolicies ?? []).flatMap(
    (p: { policy: string }) => (JSON.parse(p.policy) as { Statement: PolicyStatement[] }).Statement,
  );
}

/** action → the resources it is allowed on (union over Allow statements: what IAM would grant). */
export function grants(statements: PolicyStatement[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const s of statements) {
    if (s.Effect !== "Allow") continue;
    for (const action of list(s.Action)) {
      const set = out.get(action) ?? new Set<string>();
      for (const r of list(s.Resource)) set.add(r);
      out.set(action, set);
    }
  }
  return out;
}

/** Map → plain sorted object, for readable deep-equality failures. */
export function sortedGrants(g: Map<string, Set<string>>): Record<string, string[]> {
  return Object.fromEntries(
    [...g.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([a, r]) => [a, [...r].sort()]),
  );
}
