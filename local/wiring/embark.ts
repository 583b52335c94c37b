import type { LocalCloud } from "../cloud.js";

/**
 * Registers Embark's functions, queues, rules, routes and state machines in the local cloud, mirroring
 * what stacks/ declares on AWS. Filled in by the onboarding work.
 */
export async function wireEmbark(_cloud: LocalCloud): Promise<void> {}
