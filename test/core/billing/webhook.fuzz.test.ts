/**
 * The billing webhook's checks under hostile requests: forged, replayed, future-dated, malformed signatures and
 * bodies. Each gets its own 400/413 code; only a correctly signed, fresh Stripe event passes.
 */
import fc from "fast-check";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { DEFAULT_TOLERANCE_SECONDS, MAX_EVENT_BYTES, verifyWebhook } from "../../../core/billing/webhook.js";
import { corruptedJson, fuzzParams, hostileString, notAJsonObject } from "../../support/hostile.js";

const SECRET = "whsec_fuzz_secret";
const event = { id: "evt_1", type: "invoice.paid", created: 1_700_000_000, data: { object: { id: "in_1" } } };
const now = () => Math.floor(Date.now() / 1000);
const sign = (payload: string, secret = SECRET, timestamp = now()) =>
  Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
const CODES = [
  "missing_signature",
  "malformed_signature",
  "invalid_signature",
  "stale_timestamp",
  "invalid_json",
  "invalid_event",
  "body_too_large",
  "empty_body",
];

function expectRefused(check: ReturnType<typeof verifyWebhook>, code?: string): void {
  expect(check.ok).toBe(false);
  if (check.ok) return;
  expect([400, 413]).toContain(check.status);
  expect(CODES).toContain(check.code);
  if (code) expect(check.code).toBe(code);
  expect(check.message.length).toBeLessThanOrEqual(300);
}

describe("verifyWebhook under hostile requests", () => {
  it("any body with a hostile Stripe-Signature header is refused with a precise code", () => {
    fc.assert(
      fc.property(fc.oneof(hostileString, corruptedJson(event)), hostileString, (body, header) => {
        expectRefused(verifyWebhook(body, header, SECRET));
      }),
      fuzzParams(300),
    );
  });

  it("a body signed with another secret (forged) is refused as invalid_signature", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.oneof(corruptedJson(event), fc.constant(JSON.stringify(event))),
        (secret, body) => {
          fc.pre(secret !== SECRET);
          expectRefused(verifyWebhook(body, sign(body, secret), SECRET), "invalid_signature");
        },
      ),
      fuzzParams(200),
    );
  });

  it("a signed body changed afterwards is refused as invalid_signature", () => {
    fc.assert(
      fc.property(corruptedJson(event), (tampered) => {
        const header = sign(JSON.stringify(event));
        fc.pre(tampered !== JSON.stringify(event));
        expectRefused(verifyWebhook(tampered, header, SECRET), "invalid_signature");
      }),
      fuzzParams(200),
    );
  });

  it("a replayed (older than the tolerance) or future-dated signature is refused as stale_timestamp", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: DEFAULT_TOLERANCE_SECONDS + 1, max: 10 * 365 * 86400 }),
        fc.boolean(),
        (offset, future) => {
          const body = JSON.stringify(event);
          const t = future ? now() + offset + 2 : now() - offset - 2;
          expectRefused(verifyWebhook(body, sign(body, SECRET, t), SECRET), "stale_timestamp");
        },
      ),
      fuzzParams(200),
    );
  });

  it("a correctly signed body that is not a Stripe event is refused as invalid_json or invalid_event", () => {
    fc.assert(
      fc.property(fc.oneof(corruptedJson(event), notAJsonObject), (body) => {
        const check = verifyWebhook(body, sign(body), SECRET);
        if (check.ok) {
          // What passes is a Stripe event envelope (a changed field may still be one).
          expect(check.event).toMatchObject({ id: expect.any(String), type: expect.any(String) });
          return;
        }
        expect(["invalid_json", "invalid_event", "empty_body"]).toContain(check.code);
      }),
      fuzzParams(300),
    );
  });

  it("a fresh, correctly signed Stripe event passes", () => {
    const body = JSON.stringify(event);
    expect(verifyWebhook(body, sign(body), SECRET)).toMatchObject({ ok: true, handled: true, event });
  });

  it("a body over the PutEvents limit is refused as 413 before it is verified", () => {
    const body = JSON.stringify({ ...event, pad: "x".repeat(MAX_EVENT_BYTES) });
    expect(verifyWebhook(body, sign(body), SECRET)).toMatchObject({
      ok: false,
      status: 413,
      code: "body_too_large",
    });
  });
});
