/** Dependencies backed by SQS: the signups queue (onboarding-starter takes each signup on), the DLQs. */
import { SqsDeadLetterQueue } from "../../adapters/dead-letters.js";
import { SqsJsonQueue } from "../../adapters/queues.js";
import { QUEUES, requireEnv } from "../resources.js";

export const signups = (env: NodeJS.ProcessEnv) => new SqsJsonQueue(requireEnv(QUEUES.signups.env, env));
/** The work queues' dead-letter queues whose messages name a tenant (the reconciler sweeps them). */
export const deadLetters = (env: NodeJS.ProcessEnv) =>
  Object.values(QUEUES).flatMap((q) =>
    "dlqEnv" in q && q.dlqEnv && env[q.dlqEnv] ? [new SqsDeadLetterQueue(env[q.dlqEnv]!)] : [],
  );
