/**
 * The soak's audit, through the public APIs only (DynamoDB, Cognito, Step Functions, CodePipeline, SQS, the SES
 * store, Kubernetes): every tenant ends where its events asked; per tenant exactly one user pool, one namespace
 * set, one welcome email, one onboarding execution and one pipeline run per execution that asked for one; nothing
 * orphaned; DLQs empty or each message explained; no execution RUNNING.
 */
import {
  CodePipelineClient,
  GetPipelineExecutionCommand,
  ListPipelineExecutionsCommand,
  type PipelineExecutionSummary,
} from "@aws-sdk/client-codepipeline";
import {
  CognitoIdentityProviderClient,
  ListUserPoolsCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  type ExecutionListItem,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  SFNClient,
} from "@aws-sdk/client-sfn";
import {
  GetQueueAttributesCommand,
  ListQueuesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  RbacAuthorizationV1Api,
} from "@kubernetes/client-node";
import { POOL_NAME_PREFIX } from "../../core/adapters/identity.js";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import { parseExecutionName, STATE_MACHINE_NAMES } from "../../core/workflow/names.js";
import { localClientConfig } from "../../local/aws/client-config.js";
import type { SoakTenant } from "./drive.js";

export interface StoredEmail {
  messageId?: string;
  subject?: string;
  destination?: { to?: string[] };
  body?: { text?: string; html?: string };
}

export interface AuditFinding {
  kind: "duplicate" | "orphan" | "stuck" | "lost" | "dlq";
  what: string;
}

export interface AuditResult {
  statuses: Record<string, number>;
  failed: Array<{ slug: string; reason?: string }>;
  findings: AuditFinding[];
  /** What the secrets scan and the summary read again. */
  executions: ExecutionListItem[];
  histories: Map<string, HistoryEvent[]>;
  taskRetries: number;
  /** Billing DLQ messages whose event was applied all the same (appliedDeadLetter): event id and outcome. */
  appliedDeadLetters: string[];
  items: Record<string, unknown>[];
  queueMessages: Array<{ queue: string; message: Message }>;
}

type Item = Record<string, unknown> & {
  pk?: string;
  tenantId?: string;
  slug?: string;
  status?: string;
  plan?: string;
  companyName?: string;
  resources?: { userPoolId?: string; namespace?: string };
  failure?: { step: string; error: string; cause: string };
  workflowFailure?: { step: string; error: string; cause: string };
};

const PIPELINE_FUNCTIONS = ["start-pipeline", "run-lifecycle-pipeline"];

/**
 * A tenant's final status and plan against what its events asked for; undefined when they match. A cancellation
 * retains the tenant (CANCELLED, pool and namespace kept) until its grace period ends, then the purge makes it
 * OFFBOARDED (design §2): the soak runs with a grace of seconds, so a tenant still CANCELLED lost its purge.
 */
export function statusFinding(
  t: Pick<SoakTenant, "slug" | "scenario" | "expected">,
  rec: { status: string; plan?: string },
): AuditFinding | undefined {
  const { status, plan } = rec;
  if (["PROVISIONING", "OFFBOARDING"].includes(status))
    return { kind: "stuck", what: `${t.slug} is ${status}` };
  if (status === "CANCELLED" && t.expected.status === "OFFBOARDED")
    return { kind: "stuck", what: `${t.slug} (${t.scenario}) is CANCELLED; its purge never ran` };
  if (status !== t.expected.status)
    return {
      kind: "lost",
      what: `${t.slug} (${t.scenario}) is ${status}, its events asked for ${t.expected.status}`,
    };
  if (status !== "OFFBOARDED" && plan !== t.expected.plan)
    return {
      kind: "lost",
      what: `${t.slug} (${t.scenario}) is on ${plan}, its events asked for ${t.expected.plan}`,
    };
  return undefined;
}

/**
 * Whether a billing-queue dead letter carries a Stripe event that was applied all the same: its event log record
 * (`BILLINGEVENT#<id>`) has an outcome other than parked. A copy can reach the DLQ after another delivery of it
 * was applied (each batch that timed out under load, or was cut by a kill, spent one of its receives): the event
 * is not lost, the copy is a leftover for operators.
 */
export function appliedDeadLetter(
  body: string | undefined,
  outcomes: ReadonlyMap<string, string>,
): string | undefined {
  try {
    const id = (JSON.parse(body ?? "") as { detail?: { id?: unknown } }).detail?.id;
    if (typeof id !== "string") return undefined;
    const outcome = outcomes.get(id);
    return outcome && outcome !== "parked" ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The slug an execution belongs to (design §4 names: `<slug>-<workflow>-<n>`, every workflow). */
export const executionSlug = (name: string | undefined) => parseExecutionName(name ?? "")?.slug;

export function clients(edge: string) {
  const config = { ...localClientConfig(edge), maxAttempts: 8 };
  return {
    ddb: DynamoDBDocumentClient.from(new DynamoDBClient(config)),
    idp: new CognitoIdentityProviderClient(config),
    sfn: new SFNClient(config),
    pipeline: new CodePipelineClient(config),
    sqs: new SQSClient(config),
  };
}

export async function scanTable(edge: string, table: string): Promise<Record<string, unknown>[]> {
  const { ddb } = clients(edge);
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await ddb.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey, ConsistentRead: true }),
    );
    items.push(...((out.Items ?? []) as Record<string, unknown>[]));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

export async function listExecutions(edge: string): Promise<ExecutionListItem[]> {
  const { sfn } = clients(edge);
  const all: ExecutionListItem[] = [];
  for (const name of Object.values(STATE_MACHINE_NAMES)) {
    const stateMachineArn = `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`;
    let nextToken: string | undefined;
    do {
      const out = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, nextToken }));
      all.push(...(out.executions ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
  }
  return all;
}

async function history(edge: string, executionArn: string): Promise<HistoryEvent[]> {
  const { sfn } = clients(edge);
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const out = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
    events.push(...(out.events ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return events;
}

async function pipelineRuns(
  edge: string,
): Promise<Array<{ id: string; status?: string; vars: Record<string, string> }>> {
  const { pipeline } = clients(edge);
  const summaries: PipelineExecutionSummary[] = [];
  let nextToken: string | undefined;
  do {
    const out = await pipeline.send(
      new ListPipelineExecutionsCommand({ pipelineName: LOCAL_NAMES.pipeline, maxResults: 100, nextToken }),
    );
    summaries.push(...(out.pipelineExecutionSummaries ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  const runs = [];
  for (const s of summaries) {
    const out = await pipeline.send(
      new GetPipelineExecutionCommand({
        pipelineName: LOCAL_NAMES.pipeline,
        pipelineExecutionId: s.pipelineExecutionId,
      }),
    );
    const vars = Object.fromEntries(
      (out.pipelineExecution?.variables ?? []).map((v) => [v.name ?? "", v.resolvedValue ?? ""]),
    );
    runs.push({ id: s.pipelineExecutionId ?? "", status: s.status, vars });
  }
  return runs;
}

export async function readEmails(edge: string): Promise<StoredEmail[]> {
  const res = await fetch(`${edge}/_aws/ses`);
  const store = (await res.json()) as { emails?: StoredEmail[] };
  return store.emails ?? [];
}

async function allQueueMessages(edge: string): Promise<{
  counts: Record<string, number>;
  messages: Array<{ queue: string; message: Message }>;
}> {
  const { sqs } = clients(edge);
  const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
  const counts: Record<string, number> = {};
  const messages: Array<{ queue: string; message: Message }> = [];
  for (const url of QueueUrls) {
    const name = url.split("/").at(-1)!;
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    counts[name] =
      Number(attrs.Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    if (counts[name] === 0) continue;
    // Read them without deleting (they stay for operators): a long visibility so each is seen once.
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 120,
          MessageAttributeNames: ["All"],
          WaitTimeSeconds: 0,
        }),
      );
      const got = (out.Messages ?? []).filter((m) => !seen.has(m.MessageId ?? ""));
      if (got.length === 0) break;
      for (const m of got) {
        seen.add(m.MessageId ?? "");
        messages.push({ queue: name, message: m });
      }
    }
  }
  return { counts, messages };
}

/** Messages on the work queues (not the DLQs), visible or in flight. */
export async function workQueueDepth(edge: string): Promise<number> {
  const { sqs } = clients(edge);
  const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
  let n = 0;
  for (const url of QueueUrls.filter((u) => !u.endsWith("-dlq"))) {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    n +=
      Number(Attributes.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
  }
  return n;
}

function kube(kubeconfig: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return {
    core: kc.makeApiClient(CoreV1Api),
    net: kc.makeApiClient(NetworkingV1Api),
    rbac: kc.makeApiClient(RbacAuthorizationV1Api),
    apps: kc.makeApiClient(AppsV1Api),
  };
}

export async function audit(
  endpoints: { edge: string; kubeconfig: string },
  tenants: SoakTenant[],
  emails: StoredEmail[],
): Promise<AuditResult> {
  const findings: AuditFinding[] = [];
  const add = (kind: AuditFinding["kind"], what: string) => findings.push({ kind, what });

  // DynamoDB: the tenant records.
  const items = [...(await scanTable(endpoints.edge, LOCAL_NAMES.table("tenants")))] as Item[];
  const records = items.filter((i) => i.pk?.startsWith("TENANT#"));
  const bySlug = new Map<string, Item[]>();
  for (const r of records) bySlug.set(String(r.slug), [...(bySlug.get(String(r.slug)) ?? []), r]);
  const byCompany = new Map<string, Item[]>();
  for (const r of records)
    byCompany.set(String(r.companyName), [...(byCompany.get(String(r.companyName)) ?? []), r]);
  const statuses: Record<string, number> = {};
  const failed: AuditResult["failed"] = [];
  const wanted = new Map<string, SoakTenant>();
  const live = new Set<string>();
  const offboarded = new Set<string>();
  for (const t of tenants) {
    const same = byCompany.get(t.companyName) ?? [];
    if (same.length > 1) add("duplicate", `${same.length} tenant records for ${t.companyName}`);
    const rec = bySlug.get(t.slug)?.[0] ?? same[0];
    if (!rec) {
      add("lost", `${t.slug} (${t.scenario}): no tenant record`);
      continue;
    }
    t.tenantId = String(rec.tenantId);
    wanted.set(t.tenantId, t);
    const status = String(rec.status);
    statuses[status] = (statuses[status] ?? 0) + 1;
    // A CANCELLED tenant is retained (its pool and namespace kept), so it is checked as a live one.
    if (status === "OFFBOARDED") offboarded.add(t.tenantId);
    else live.add(t.tenantId);
    if (status === "FAILED" || (rec.workflowFailure && status !== t.expected.status)) {
      const f = rec.failure ?? rec.workflowFailure;
      failed.push({
        slug: t.slug,
        reason: f ? `${f.step}: ${f.error}: ${f.cause.slice(0, 200)}` : undefined,
      });
      continue;
    }
    const finding = statusFinding(t, { status, plan: rec.plan });
    if (finding) add(finding.kind, finding.what);
  }
  for (const r of records) {
    if (!wanted.has(String(r.tenantId)))
      add("orphan", `tenant record ${r.slug} (${r.tenantId}) nobody asked for`);
  }

  // Cognito: one pool per live tenant, none for an offboarded one, none for nobody.
  const { idp } = clients(endpoints.edge);
  const pools: Array<{ Id?: string; Name?: string }> = [];
  let NextToken: string | undefined;
  do {
    const out = await idp.send(new ListUserPoolsCommand({ MaxResults: 60, NextToken }));
    pools.push(...(out.UserPools ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  const poolsOf = new Map<string, string[]>();
  for (const p of pools) {
    if (!p.Name?.startsWith(POOL_NAME_PREFIX)) continue;
    const id = p.Name.slice(POOL_NAME_PREFIX.length);
    poolsOf.set(id, [...(poolsOf.get(id) ?? []), p.Id ?? ""]);
  }
  for (const [id, ids] of poolsOf) {
    const t = wanted.get(id);
    if (!t) add("orphan", `user pool(s) ${ids.join(", ")} for unknown tenant ${id}`);
    else if (offboarded.has(id))
      add("orphan", `${t.slug} is offboarded but keeps user pool(s) ${ids.join(", ")}`);
    else if (ids.length > 1) add("duplicate", `${t.slug} has ${ids.length} user pools: ${ids.join(", ")}`);
  }
  for (const id of live) {
    const t = wanted.get(id)!;
    const failedOnboarding = failed.some((f) => f.slug === t.slug);
    if (!poolsOf.has(id) && !failedOnboarding) add("lost", `${t.slug} has no user pool`);
  }

  // Kubernetes: one namespace set per live tenant, none for an offboarded one or for nobody.
  const k = kube(endpoints.kubeconfig);
  const namespaces = (await k.core.listNamespace()).items;
  const tenantNs = new Map(
    namespaces.filter((n) => n.metadata?.name?.startsWith("tenant-")).map((n) => [n.metadata!.name!, n]),
  );
  const slugOf = new Map([...wanted.values()].map((t) => [`tenant-${t.slug}`, t]));
  for (const [name, ns] of tenantNs) {
    const t = slugOf.get(name);
    if (!t) add("orphan", `namespace ${name} for no tenant`);
    else if (offboarded.has(t.tenantId!))
      add(
        ns.status?.phase === "Terminating" ? "stuck" : "orphan",
        `${t.slug} is offboarded but ${name} is still there`,
      );
  }
  for (const id of live) {
    const t = wanted.get(id)!;
    if (failed.some((f) => f.slug === t.slug)) continue;
    const name = `tenant-${t.slug}`;
    if (!tenantNs.has(name)) {
      add("lost", `${t.slug} has no namespace`);
      continue;
    }
    const [quotas, limits, policies, roles, bindings, accounts] = await Promise.all([
      k.core.listNamespacedResourceQuota({ namespace: name }),
      k.core.listNamespacedLimitRange({ namespace: name }),
      k.net.listNamespacedNetworkPolicy({ namespace: name }),
      k.rbac.listNamespacedRole({ namespace: name }),
      k.rbac.listNamespacedRoleBinding({ namespace: name }),
      k.core.listNamespacedServiceAccount({ namespace: name }),
    ]);
    const set = {
      quotas: quotas.items.length,
      limits: limits.items.length,
      roles: roles.items.length,
      bindings: bindings.items.length,
      policies: policies.items.length,
      accounts: accounts.items.length,
    };
    if (set.quotas !== 1 || set.limits !== 1 || set.roles < 1 || set.bindings < 1 || set.policies < 1)
      add("lost", `${name} holds an incomplete set: ${JSON.stringify(set)}`);
  }

  // SES: exactly one welcome email per tenant (each was onboarded before any offboarding).
  for (const t of wanted.values()) {
    if (failed.some((f) => f.slug === t.slug)) continue;
    const welcome = emails.filter(
      (e) =>
        e.destination?.to?.includes(t.adminEmail) && e.subject === `Welcome to Embark, ${t.companyName}!`,
    );
    if (welcome.length === 0) add("lost", `${t.slug} got no welcome email`);
    // A mailer that dies after SES accepted the email finds SES's confirmation on the record when the message
    // comes back (core/mail/sent.ts): a second email is a duplicate.
    if (welcome.length > 1) add("duplicate", `${t.slug} got ${welcome.length} welcome emails`);
  }

  // Step Functions: nothing RUNNING; one onboarding per tenant; every execution belongs to a tenant.
  const executions = await listExecutions(endpoints.edge);
  const histories = new Map<string, HistoryEvent[]>();
  let taskRetries = 0;
  const slugs = new Set([...wanted.values()].map((t) => t.slug));
  const pipelineAsks = new Map<string, number>();
  for (const e of executions) {
    if (e.status === "RUNNING") add("stuck", `execution ${e.name} is RUNNING`);
    const slug = executionSlug(e.name);
    if (!slug || !slugs.has(slug)) add("orphan", `execution ${e.name} of no tenant`);
    const events = await history(endpoints.edge, e.executionArn!);
    histories.set(e.executionArn!, events);
    taskRetries += events.filter((h) => h.type === "TaskFailed" || h.type === "LambdaFunctionFailed").length;
    const asks = events.some(
      (h) =>
        h.type === "TaskScheduled" &&
        PIPELINE_FUNCTIONS.some((f) =>
          (h.taskScheduledEventDetails?.parameters ?? "").includes(`function:${f}"`),
        ),
    );
    if (slug && asks) pipelineAsks.set(slug, (pipelineAsks.get(slug) ?? 0) + 1);
  }
  for (const t of wanted.values()) {
    const onboards = executions.filter((e) => e.name?.startsWith(`${t.slug}-onboard-`));
    if (onboards.length > 1) add("duplicate", `${t.slug} has ${onboards.length} onboarding executions`);
    if (onboards.length === 0) add("lost", `${t.slug} has no onboarding execution`);
  }

  // CodePipeline: one run per execution that asked for one; none for nobody.
  const runs = await pipelineRuns(endpoints.edge);
  const runsOf = new Map<string, number>();
  for (const r of runs) {
    const t = wanted.get(r.vars.TENANT_ID ?? "");
    if (!t) {
      add("orphan", `pipeline run ${r.id} for unknown tenant ${r.vars.TENANT_ID}`);
      continue;
    }
    if (r.status === "InProgress") add("stuck", `pipeline run ${r.id} of ${t.slug} is InProgress`);
    runsOf.set(t.slug, (runsOf.get(t.slug) ?? 0) + 1);
  }
  for (const t of wanted.values()) {
    const got = runsOf.get(t.slug) ?? 0;
    const asked = pipelineAsks.get(t.slug) ?? 0;
    if (got > asked)
      add("duplicate", `${t.slug}: ${got} pipeline runs for ${asked} execution(s) that asked for one`);
    if (got < asked)
      add("lost", `${t.slug}: ${got} pipeline runs for ${asked} execution(s) that asked for one`);
  }

  // SQS: work queues drained; DLQ messages each explained by the consumer that refused them, or (billing) applied.
  const { counts, messages } = await allQueueMessages(endpoints.edge);
  const outcomes = new Map(
    items
      .filter((i) => i.pk?.startsWith("BILLINGEVENT#"))
      .map((i) => [String(i.eventId), String(i.outcome)] as const),
  );
  const appliedDeadLetters: string[] = [];
  for (const [queue, n] of Object.entries(counts)) {
    if (n === 0) continue;
    if (!queue.endsWith("-dlq")) {
      add("stuck", `${n} message(s) left on ${queue}`);
      continue;
    }
    for (const { message } of messages.filter((m) => m.queue === queue)) {
      const reason = message.MessageAttributes?.["embark.rejected.reason"]?.StringValue;
      const applied = queue.startsWith("embark-billing")
        ? appliedDeadLetter(message.Body, outcomes)
        : undefined;
      if (applied) appliedDeadLetters.push(`${applied} (${outcomes.get(applied)})`);
      else if (!reason)
        add("dlq", `${queue}: message ${message.MessageId} without a reason: ${message.Body?.slice(0, 200)}`);
    }
  }

  return {
    statuses,
    failed,
    findings,
    executions,
    histories,
    taskRetries,
    appliedDeadLetters,
    items,
    queueMessages: messages,
  };
}
