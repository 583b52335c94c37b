/** The local S3 stand-in (local/s3/service.ts) behind its own edge, through the real S3 client. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localClientConfig } from "../../../local/aws/client-config.js";
import { type Edge, startEdge } from "../../../local/edge/server.js";
import { startS3 } from "../../../local/s3/service.js";

describe("local S3", () => {
  let dir: string;
  let edge: Edge;
  let s3: S3Client;

  const restart = async () => {
    await edge?.stop();
    edge = await startEdge({ port: 0 });
    edge.addHttpService(await startS3(dir));
    s3 = new S3Client({ ...localClientConfig(edge.url), forcePathStyle: true });
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "embark-s3-"));
    await restart();
  });
  afterAll(async () => {
    await edge.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("creates a bucket once, and answers S3's errors for missing buckets and keys", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "exports-test" }));
    await expect(s3.send(new CreateBucketCommand({ Bucket: "exports-test" }))).rejects.toMatchObject({
      name: "BucketAlreadyOwnedByYou",
    });
    await expect(s3.send(new HeadBucketCommand({ Bucket: "exports-test" }))).resolves.toBeDefined();
    await expect(s3.send(new HeadBucketCommand({ Bucket: "nope-bucket" }))).rejects.toMatchObject({
      name: "NotFound",
    });
    await expect(
      s3.send(new PutObjectCommand({ Bucket: "nope-bucket", Key: "a", Body: "x" })),
    ).rejects.toMatchObject({ name: "NoSuchBucket" });
    await expect(
      s3.send(new GetObjectCommand({ Bucket: "exports-test", Key: "missing" })),
    ).rejects.toMatchObject({ name: "NoSuchKey" });
  });

  it("puts (the SDK's aws-chunked bodies too), gets, heads, lists by prefix in pages, deletes; objects survive a restart", async () => {
    const body = JSON.stringify({ hello: "wörld" });
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: "exports-test",
        Key: "exports/t1/a.json",
        Body: body,
        ContentType: "application/json",
      }),
    );
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    for (const k of ["exports/t1/b.json", "exports/t1/c.json", "other/x"]) {
      await s3.send(new PutObjectCommand({ Bucket: "exports-test", Key: k, Body: k }));
    }
    await restart();
    const got = await s3.send(new GetObjectCommand({ Bucket: "exports-test", Key: "exports/t1/a.json" }));
    expect(await got.Body?.transformToString()).toBe(body);
    expect(got.ContentType).toBe("application/json");
    const head = await s3.send(new HeadObjectCommand({ Bucket: "exports-test", Key: "exports/t1/a.json" }));
    expect(head.ContentLength).toBe(Buffer.byteLength(body));
    const first = await s3.send(
      new ListObjectsV2Command({ Bucket: "exports-test", Prefix: "exports/t1/", MaxKeys: 2 }),
    );
    expect(first.Contents?.map((o) => o.Key)).toEqual(["exports/t1/a.json", "exports/t1/b.json"]);
    expect(first.IsTruncated).toBe(true);
    const second = await s3.send(
      new ListObjectsV2Command({
        Bucket: "exports-test",
        Prefix: "exports/t1/",
        ContinuationToken: first.NextContinuationToken,
      }),
    );
    expect(second.Contents?.map((o) => o.Key)).toEqual(["exports/t1/c.json"]);
    await s3.send(new DeleteObjectCommand({ Bucket: "exports-test", Key: "exports/t1/c.json" }));
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: "exports-test", Key: "exports/t1/c.json" })),
    ).rejects.toMatchObject({ name: "NotFound" });
  });
});
