/**
 * Tenant exports in S3 (BUCKETS.exports): PutObject per file. The bucket's default encryption (SSE-S3 on AWS,
 * stacks/exports.ts) applies, and its versioning keeps an earlier write of the same key.
 */
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { BUCKETS, requireEnv } from "../app/resources.js";
import type { ExportStore } from "../ports.js";

export class S3ExportStore implements ExportStore {
  constructor(
    readonly bucket: string,
    private readonly client: S3Client = new S3Client({ forcePathStyle: !!process.env.AWS_ENDPOINT_URL }),
  ) {}

  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): S3ExportStore {
    return new S3ExportStore(requireEnv(BUCKETS.exports.env, env));
  }

  async put(key: string, body: string, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }
}
