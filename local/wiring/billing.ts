/**
 * Registers billing and the tenant lifecycle in the local cloud the way stacks/ declares them on AWS: the
 * Embark billing bus and a stand-in for Stripe's partner event bus, the rules (same core/ patterns) into the
 * billing queue and its DLQ, the billing router's SQS mapping, the webhook route, the four lifecycle state
 * machines (same core/ ASL) and the rule recording their failures. Idempotent: runs at every boot.
 */
import {
  CreateEventBusCommand,
  EventBridgeClient,
  ResourceAlreadyExistsException,
} from "@aws-sdk/client-eventbridge";
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { LifecycleResources } from "../../core/lifecycle/email-task.js";
import { LIFECYCLE_STATE_MACHINE_ENV } from "../../core/lifecycle/environment.js";
import { LIFECYCLE_MACHINES, LIFECYCLE_WORKFLOWS } from "../../core/lifecycle/machines.js";
import {
  BILLING_BATCH,
  BILLING_QUEUE_CONSUMER,
  billingEventsPattern,
  lifecycleFailedPattern,
  onboardingEndedPattern,
  visibilityTimeoutFor,
} from "../../core/onboarding/resources.js";
import { localClientConfig } from "../aws/client-config.js";
import type { LocalCloud } from "../cloud.js";
import { functionArn } from "../lambda/registry.js";
import { startSqsEventSource } from "../lambda/sqs-event-source.js";

export const BILLING_LOCAL_NAMES = {
  bus: "embark-billing",
  /** Named like the bus Stripe's EventBridge destination creates (`aws.partner/stripe.com/<id>`). */
  partnerBus: "aws.partner/stripe.com/embark-local",
  billingQueue: "embark-billing",
} as const;

export async function wireBilling(
  cloud: LocalCloud,
  deps: {
    sqs: SQSClient;
    emailsQueueUrl: string;
    onboardingArn: string;
    createQueueWithDlq: (sqs: SQSClient, name: string, visibilityTimeout: number) => Promise<string>;
  },
): Promise<void> {
  const { region, accountId } = cloud.endpoints;
  const smArn = (name: string) => `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;

  const queueUrl = await deps.createQueueWithDlq(
    deps.sqs,
    BILLING_LOCAL_NAMES.billingQueue,
    visibilityTimeoutFor(BILLING_QUEUE_CONSUMER),
  );
  const queueArn = (
    await deps.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))
  ).Attributes?.QueueArn;
  if (!queueArn) throw new Error("The billing queue has no ARN");

  const events = new EventBridgeClient(localClientConfig(cloud.endpoints.edge));
  for (const bus of [BILLING_LOCAL_NAMES.bus, BILLING_LOCAL_NAMES.partnerBus]) {
    try {
      await events.send(new CreateEventBusCommand({ Name: bus }));
    } catch (err) {
      if (!(err instanceof ResourceAlreadyExistsException)) throw err;
    }
  }
  events.destroy();

  const arns = Object.fromEntries(
    LIFECYCLE_WORKFLOWS.map((wf) => [wf, smArn(LIFECYCLE_MACHINES[wf].name)]),
  ) as Record<(typeof LIFECYCLE_WORKFLOWS)[number], string>;
  Object.assign(process.env, {
    BILLING_BUS_NAME: BILLING_LOCAL_NAMES.bus,
    ...Object.fromEntries(LIFECYCLE_WORKFLOWS.map((wf) => [LIFECYCLE_STATE_MACHINE_ENV[wf], arns[wf]])),
  });

  const resources: LifecycleResources = {
    setTenantStatus: functionArn("set-tenant-status"),
    recordPlan: functionArn("record-plan"),
    applyNamespacePolicy: functionArn("apply-namespace-policy"),
    applySignIn: functionArn("apply-sign-in"),
    runLifecyclePipeline: functionArn("run-lifecycle-pipeline"),
    deleteNamespace: functionArn("delete-namespace"),
    deleteIdentity: functionArn("delete-identity"),
    emailsQueueUrl: deps.emailsQueueUrl,
  };
  for (const wf of LIFECYCLE_WORKFLOWS) {
    const machine = LIFECYCLE_MACHINES[wf];
    await cloud.stepFunctions.registerStateMachine({
      name: machine.name,
      definition: machine.definition(resources),
    });
  }

  // Billing events from the webhook (Embark bus) and from Stripe's partner source (its own bus): one pattern.
  const toQueue = [{ Id: "billing-queue", Arn: queueArn }];
  for (const bus of [BILLING_LOCAL_NAMES.bus, BILLING_LOCAL_NAMES.partnerBus]) {
    await cloud.eventBridge.putRule({
      Name: "embark-billing-events",
      EventBusName: bus,
      EventPattern: JSON.stringify(billingEventsPattern()),
      State: "ENABLED",
    });
    await cloud.eventBridge.putTargets({
      Rule: "embark-billing-events",
      EventBusName: bus,
      Targets: toQueue,
    });
  }
  await cloud.eventBridge.putRule({
    Name: "embark-onboarding-ended",
    EventPattern: JSON.stringify(onboardingEndedPattern(deps.onboardingArn)),
    State: "ENABLED",
  });
  await cloud.eventBridge.putTargets({ Rule: "embark-onboarding-ended", Targets: toQueue });
  await cloud.eventBridge.putRule({
    Name: "embark-lifecycle-failed",
    EventPattern: JSON.stringify(lifecycleFailedPattern(Object.values(arns))),
    State: "ENABLED",
  });
  await cloud.eventBridge.putTargets({
    Rule: "embark-lifecycle-failed",
    Targets: [{ Id: "record-failure", Arn: functionArn("record-failure") }],
  });

  const mapping = startSqsEventSource({
    ctx: cloud.context,
    queueName: BILLING_LOCAL_NAMES.billingQueue,
    functionName: BILLING_QUEUE_CONSUMER,
    ...BILLING_BATCH,
    reportBatchItemFailures: true,
  });
  cloud.onStop(() => mapping.stop());

  cloud.web.addRoute({ method: "POST", path: "/billing/webhook", functionName: "billing-intake" });
}
