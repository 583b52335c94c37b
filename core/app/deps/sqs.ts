/** Dependencies backed by SQS: the signups queue, consumers' DLQs, and the DLQs the reconciler sweeps. */
import { SqsDeadLetterQueue } from "../../adapters/dead-letters.js";
import { SqsDeadLetters, SqsJsonQueue } from "../../adapters/queues.js";
import { QUEUES, type QueueKey, requireEnv } from "../resources.js";

export const signups = (env: NodeJS.ProcessEnv) => new SqsJsonQueue(requireEnv(QUEUES.signups.env, env));

/** The DLQ of `queue`, where its consumer (named) puts the messages it refuses, with the reason. */
export const deadLettersOf = (queue: QueueKey, consumer: string) => (env: NodeJS.ProcessEnv) =>
  new SqsDeadLetters(requireEnv(QUEUES[queue].dlqEnv, env), consumer);

/** The work queues' DLQs whose messages name a tenant (signups, emails): the reconciler sweeps them. */
export const deadLetters = (env: NodeJS.ProcessEnv) =>
  (["signups", "emails"] as const).map((q) => new SqsDeadLetterQueue(requireEnv(QUEUES[q].dlqEnv, env)));
