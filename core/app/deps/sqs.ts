/** Dependencies backed by SQS: the signups queue (onboarding-starter takes each signup on), and consumers' DLQs. */
import { SqsDeadLetters, SqsJsonQueue } from "../../adapters/queues.js";
import { QUEUES, type QueueKey, requireEnv } from "../resources.js";

export const signups = (env: NodeJS.ProcessEnv) => new SqsJsonQueue(requireEnv(QUEUES.signups.env, env));

/** The DLQ of `queue`, where its consumer (named) puts the messages it refuses, with the reason. */
export const deadLettersOf = (queue: QueueKey, consumer: string) => (env: NodeJS.ProcessEnv) =>
  new SqsDeadLetters(requireEnv(QUEUES[queue].dlqEnv, env), consumer);
