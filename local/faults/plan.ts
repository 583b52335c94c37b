/**
 * The fault plan of the local cloud: which AWS (and Kubernetes) calls fail, and how, and which deliveries are
 * duplicated or crash. Set at start with EMBARK_FAULTS (a path to a JSON file, or the JSON itself) and replaced at
 * run time with `POST /_embark/faults` on the edge. Local-only: nothing here exists on AWS.
 *
 * Rules are tried in order; the first whose `match` (`service:Operation`, `*` a wildcard on either side, e.g.
 * `dynamodb:*`, `cognito-idp:CreateUserPool`, `kubernetes:apply`, `*`) fits a call decides it. Services are the
 * SigV4 signing names (dynamodb, sqs, cognito-idp, states, events, codepipeline, lambda, scheduler, ses) and
 * `kubernetes`; operations are the API's names (X-Amz-Target / Action) or, for Kubernetes, the verb (get, list,
 * create, update, patch, apply, delete).
 */
import { z } from "zod";

const probability = z.number().min(0).max(1);

export const FAULT_KINDS = ["throttle", "serverError", "drop", "lostResponse"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const FaultRuleSchema = z
  .object({
    match: z
      .string()
      .regex(
        /^(\*|[a-z0-9*-]+:[A-Za-z0-9*_.-]+)$/,
        "match is `service:Operation` (or `*`), e.g. dynamodb:PutItem",
      ),
    /** Answered with the service's throttling error (ThrottlingException, TooManyRequestsException, 429…). */
    throttle: probability.default(0),
    /** Answered with a 500 or 503 in the service's shape. */
    serverError: probability.default(0),
    /** The connection is closed before the request reaches the service. */
    drop: probability.default(0),
    /** The service applies the call, then the connection is closed: the side effect happened, the answer is lost. */
    lostResponse: probability.default(0),
    /** The first call of every distinct operation this rule matches loses its response (a guaranteed case). */
    lostResponseFirst: z.boolean().default(false),
    /** Added latency (independent of the faults above). */
    latency: z
      .object({ probability, minMs: z.number().int().min(0), maxMs: z.number().int().min(0).max(60_000) })
      .strict()
      .refine((l) => l.minMs <= l.maxMs, "latency.minMs must not exceed latency.maxMs")
      .optional(),
  })
  .strict()
  .refine(
    (r) => r.throttle + r.serverError + r.drop + r.lostResponse <= 1,
    "throttle + serverError + drop + lostResponse must not exceed 1",
  );
export type FaultRule = z.infer<typeof FaultRuleSchema>;

export const DeliveryFaultsSchema = z
  .object({
    /** An SQS message handed to its consumer twice (at-least-once delivery). */
    sqsDuplicate: probability.default(0),
    /** An EventBridge event delivered to a target twice. */
    eventsDuplicate: probability.default(0),
    /** A Step Functions Lambda Task invoked twice for the same state (the second answer is the one used). */
    taskDuplicate: probability.default(0),
    /** A Lambda (Task or async invoke) that dies after its side effect, before it returns (Lambda.Unknown). */
    crashAfterEffect: probability.default(0),
    /** Each function's first Task invocation dies after its side effect (a guaranteed case). */
    crashAfterEffectFirst: z.boolean().default(false),
  })
  .strict();
export type DeliveryFaults = z.infer<typeof DeliveryFaultsSchema>;

export const FaultPlanSchema = z
  .object({
    /** Seeds the random draws (one run's sequence; concurrent calls still interleave differently). */
    seed: z.number().int().optional(),
    rules: z.array(FaultRuleSchema).max(200).default([]),
    delivery: DeliveryFaultsSchema.default(DeliveryFaultsSchema.parse({})),
  })
  .strict();
export type FaultPlan = z.infer<typeof FaultPlanSchema>;
export type FaultPlanInput = z.input<typeof FaultPlanSchema>;

export const NO_FAULTS: FaultPlan = FaultPlanSchema.parse({});

export class FaultPlanError extends Error {
  override name = "FaultPlanError";
}

/** Parses and validates a plan; throws FaultPlanError naming every problem. */
export function parseFaultPlan(raw: unknown): FaultPlan {
  const parsed = FaultPlanSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(plan)"}: ${i.message}`);
    throw new FaultPlanError(`Invalid fault plan: ${problems.join("; ")}`);
  }
  return parsed.data;
}

/** Whether a rule's `match` fits `service:operation`. */
export function matches(pattern: string, service: string, operation: string): boolean {
  if (pattern === "*") return true;
  const [ps, po] = pattern.split(":") as [string, string];
  return glob(ps, service) && glob(po, operation);
}

function glob(pattern: string, value: string): boolean {
  if (pattern === "*") return true;
  if (!pattern.includes("*")) return pattern === value;
  const re = new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`);
  return re.test(value);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The same probability of every fault kind on every call (split evenly), for soaks and demos. */
export function uniformPlan(rate: number, extra: Partial<FaultPlanInput> = {}): FaultPlan {
  const each = rate / FAULT_KINDS.length;
  return parseFaultPlan({
    rules: [
      {
        match: "*",
        throttle: each,
        serverError: each,
        drop: each,
        lostResponse: each,
        latency: { probability: rate, minMs: 5, maxMs: 150 },
      },
    ],
    delivery: {
      sqsDuplicate: rate,
      eventsDuplicate: rate,
      taskDuplicate: rate,
      crashAfterEffect: rate / 2,
    },
    ...extra,
  });
}
