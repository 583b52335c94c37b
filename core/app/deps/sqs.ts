/** Dependencies backed by SQS: the signups queue (onboarding-starter takes each signup on). */
import { SqsJsonQueue } from "../../adapters/queues.js";
import { QUEUES, requireEnv } from "../resources.js";

export const signups = (env: NodeJS.ProcessEnv) => new SqsJsonQueue(requireEnv(QUEUES.signups.env, env));
