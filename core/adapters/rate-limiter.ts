/**
 * Fixed-window rate-limit counters in DynamoDB: one item per key and window (`LIMIT#<key>#<window start>`), one
 * conditional UpdateItem per check (ADD 1 unless the count reached the limit), and a TTL attribute so DynamoDB
 * drops finished windows. Correct without the TTL sweep (old windows have other keys); a burst can straddle a
 * window boundary (up to twice the limit across it), the price of one write per check.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { RateLimiter, RateLimitTake } from "../ports.js";
import { DynamoTable, isConditionFailure } from "./dynamo.js";

export class DynamoRateLimiter extends DynamoTable implements RateLimiter {
  async take(key: string, limit: number, windowSeconds: number, now: Date): Promise<RateLimitTake> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const windowStart = nowSeconds - (nowSeconds % windowSeconds);
    const windowEnd = windowStart + windowSeconds;
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `LIMIT#${key}#${windowStart}` },
          UpdateExpression: "ADD #hits :one SET #expiresAt = if_not_exists(#expiresAt, :expiresAt)",
          ConditionExpression: "attribute_not_exists(#hits) OR #hits < :limit",
          ExpressionAttributeNames: { "#hits": "hits", "#expiresAt": "expiresAt" },
          // Kept a window past its end: DynamoDB's TTL sweep is lazy anyway.
          ExpressionAttributeValues: { ":one": 1, ":limit": limit, ":expiresAt": windowEnd + windowSeconds },
          ReturnValues: "UPDATED_NEW",
        }),
      );
      return { ok: true, count: Number(out.Attributes?.hits ?? 1) };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      return { ok: false, retryAfterSeconds: Math.max(1, windowEnd - nowSeconds) };
    }
  }
}
