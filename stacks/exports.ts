/**
 * The tenant exports bucket (core/app/resources.ts BUCKETS.exports; design §2, retention): private (public
 * access blocked, TLS only), encrypted at rest by default (SSE-S3: the functions need no KMS grant; a stage
 * that wants its own KMS key sets it here and gives export-tenant kms:GenerateDataKey), versioned (a
 * re-run of an export keeps the earlier version), and every object, current or not, expires after the legal
 * retention: EMBARK_EXPORT_RETENTION_DAYS at deploy time (default 2555 days, 7 years; docs/deploy.md).
 */
import type { Context } from "./context.js";

export const DEFAULT_EXPORT_RETENTION_DAYS = 2555;

export function createExportsBucket(ctx: Context) {
  const retentionDays = Number(process.env.EMBARK_EXPORT_RETENTION_DAYS ?? DEFAULT_EXPORT_RETENTION_DAYS);
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new Error(`EMBARK_EXPORT_RETENTION_DAYS must be a whole number of days, got ${retentionDays}`);
  }
  const bucket = new aws.s3.BucketV2("ExportsBucket", {
    bucket: ctx.physicalName("exports"),
    // Exports outlive the stage's removal in production: the lifecycle rule deletes them, not a teardown.
    forceDestroy: !ctx.production,
  });
  new aws.s3.BucketPublicAccessBlock("ExportsPublicAccessBlock", {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new aws.s3.BucketVersioningV2("ExportsVersioning", {
    bucket: bucket.id,
    versioningConfiguration: { status: "Enabled" },
  });
  new aws.s3.BucketServerSideEncryptionConfigurationV2("ExportsEncryption", {
    bucket: bucket.id,
    rules: [
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" },
      },
    ],
  });
  new aws.s3.BucketLifecycleConfigurationV2("ExportsRetention", {
    bucket: bucket.id,
    rules: [
      {
        id: "legal-retention",
        status: "Enabled",
        filter: { prefix: "exports/" },
        expiration: { days: retentionDays },
        noncurrentVersionExpiration: { noncurrentDays: retentionDays },
      },
    ],
  });
  new aws.s3.BucketPolicy("ExportsTlsOnly", {
    bucket: bucket.id,
    policy: $jsonStringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [bucket.arn, $interpolate`${bucket.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    }),
  });
  return bucket;
}
