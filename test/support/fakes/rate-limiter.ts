/** An in-memory RateLimiter with the same fixed windows as DynamoRateLimiter (core/adapters/rate-limiter.ts). */
import type { RateLimiter, RateLimitTake } from "../../../core/ports.js";

export class FakeRateLimiter implements RateLimiter {
  readonly counts = new Map<string, number>();

  async take(key: string, limit: number, windowSeconds: number, now: Date): Promise<RateLimitTake> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const windowStart = nowSeconds - (nowSeconds % windowSeconds);
    const k = `${key}#${windowStart}`;
    const count = this.counts.get(k) ?? 0;
    if (count >= limit)
      return { ok: false, retryAfterSeconds: Math.max(1, windowStart + windowSeconds - nowSeconds) };
    this.counts.set(k, count + 1);
    return { ok: true, count: count + 1 };
  }
}
