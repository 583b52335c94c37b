/**
 * The billing webhook's signing secret for the local cloud: EMBARK_STRIPE_WEBHOOK_SECRET when set, else one
 * generated once and kept under the state directory (so it survives restarts and local tools can sign test
 * events with it; it is also written to endpoints.json). Local only: on AWS it is an SST secret.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../aws/state-file.js";

export async function stripeWebhookSecret(stateDir: string): Promise<string> {
  const given = process.env.EMBARK_STRIPE_WEBHOOK_SECRET;
  if (given) return given;
  const file = join(stateDir, "stripe-webhook-secret");
  const kept = await readFile(file, "utf8").then(
    (s) => s.trim(),
    () => "",
  );
  if (kept) return kept;
  const secret = `whsec_${randomBytes(24).toString("hex")}`;
  await writeFileAtomic(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
