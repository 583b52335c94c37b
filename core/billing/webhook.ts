/**
 * The billing webhook's checks, with the official `stripe` package: the `Stripe-Signature` header is an HMAC
 * of the timestamp and the raw body under the endpoint's signing secret, and a timestamp outside the tolerance
 * window is refused so a captured request cannot be replayed later. Then the event goes onto the Embark bus.
 */
import Stripe from "stripe";
import { BILLING_EVENT_SOURCE, isBillingEventType, StripeEvent } from "./stripe-event.js";

/** Stripe's own default: five minutes either way. */
export const DEFAULT_TOLERANCE_SECONDS = 300;
/** The most PutEvents takes in one entry. */
export const MAX_EVENT_BYTES = 256 * 1024;

export type WebhookCheck =
  | { ok: true; event: StripeEvent; handled: boolean }
  | { ok: false; status: 400 | 413; code: string; message: string };

const refuse = (code: string, message: string, status: 400 | 413 = 400): WebhookCheck => ({
  ok: false,
  status,
  code,
  message,
});

export function verifyWebhook(
  rawBody: string,
  signatureHeader: string | undefined,
  secret: string,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): WebhookCheck {
  if (!signatureHeader) {
    return refuse("missing_signature", "The Stripe-Signature header is missing");
  }
  if (rawBody.trim() === "")
    return refuse("empty_body", "The request body is empty: a Stripe event was expected");
  if (Buffer.byteLength(rawBody) > MAX_EVENT_BYTES) {
    return refuse("body_too_large", `The event must be at most ${MAX_EVENT_BYTES} bytes`, 413);
  }
  let verified: unknown;
  try {
    // Verifies before it parses: a forged body is refused without being read.
    verified = Stripe.webhooks.constructEvent(rawBody, signatureHeader, secret, toleranceSeconds);
  } catch (err) {
    if (err instanceof SyntaxError) return refuse("invalid_json", "The request body is not valid JSON");
    const message = err instanceof Error ? err.message : String(err);
    if (message.includes("tolerance")) {
      return refuse(
        "stale_timestamp",
        `The Stripe-Signature timestamp is more than ${toleranceSeconds} s away from now: a replayed or delayed request`,
      );
    }
    if (message.includes("Unable to extract")) {
      return refuse("malformed_signature", "The Stripe-Signature header is not of the form t=…,v1=…");
    }
    return refuse(
      "invalid_signature",
      "The Stripe-Signature does not match the body: wrong signing secret, or the body was changed",
    );
  }
  // Stripe's check only looks back; a timestamp far ahead (a clock gone wrong, or a request minted to be
  // replayable for longer) is refused too.
  const signedAt = Number(/(?:^|,)\s*t=(\d+)/.exec(signatureHeader)?.[1]);
  if (signedAt - Math.floor(Date.now() / 1000) > toleranceSeconds) {
    return refuse(
      "stale_timestamp",
      `The Stripe-Signature timestamp is more than ${toleranceSeconds} s away from now: a replayed or delayed request`,
    );
  }
  const parsed = StripeEvent.safeParse(verified);
  if (!parsed.success) {
    return refuse(
      "invalid_event",
      "The body is not a Stripe event (needs id, type, created and data.object)",
    );
  }
  return { ok: true, event: parsed.data, handled: isBillingEventType(parsed.data.type) };
}

/** The PutEvents entry for a verified event: detail-type is the Stripe type, detail the event as received. */
export function busEntry(event: StripeEvent, rawBody: string, eventBusName: string) {
  return {
    EventBusName: eventBusName,
    Source: BILLING_EVENT_SOURCE,
    DetailType: event.type,
    Detail: rawBody,
    Time: new Date(event.created * 1000),
  };
}
