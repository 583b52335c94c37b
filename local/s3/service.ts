/**
 * Local S3: the calls Embark's tenant export makes, over S3's REST-XML protocol (SigV4 service "s3", path-style
 * `/<bucket>/<key>`) behind the edge: CreateBucket, HeadBucket, PutObject, GetObject, HeadObject, DeleteObject,
 * ListObjectsV2 (prefix, max-keys, continuation token). Errors in S3's XML shape (NoSuchBucket, NoSuchKey,
 * BucketAlreadyOwnedByYou, NotImplemented). PutObject bodies sent aws-chunked (the SDK's default checksums) are
 * decoded. ETag is the body's MD5, as S3's for a single-part upload; x-amz-server-side-encryption is echoed.
 *
 * Durable like S3: an object is one file under <stateDir>/<bucket>/ written atomically (writeFileAtomic) before
 * PutObject answers, so a kill -9 leaves the old object or the new one, never a torn one.
 *
 * Known gaps: no signature check, no virtual-hosted-style addresses, no multipart upload, no bucket versioning,
 * encryption, lifecycle or policy configuration (the deployed bucket has them: stacks/data.ts), no ranges or
 * conditional GETs, objects are held in memory while read (fine for exports of a few MB).
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { writeFileAtomic } from "../aws/state-file.js";

export interface S3Service {
  readonly signingName: "s3";
  handleHttp(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void>;
  stop(): Promise<void>;
}

interface StoredObject {
  key: string;
  contentType: string;
  etag: string;
  lastModified: string;
  sse?: string;
  metadata: Record<string, string>;
  body: string; // base64
}

class S3Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const xmlEscape = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const fileOf = (key: string) => `${createHash("sha256").update(key).digest("hex")}.json`;

/** Decodes an aws-chunked body (`<hex size>[;chunk-signature=…]\r\n<data>\r\n … 0\r\n<trailers>\r\n\r\n`). */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf("\r\n", at);
    if (eol < 0) throw new S3Error("IncompleteBody", "aws-chunked body ends inside a chunk header", 400);
    const size = Number.parseInt(body.subarray(at, eol).toString("latin1").split(";")[0] ?? "", 16);
    if (!Number.isFinite(size) || size < 0) throw new S3Error("InvalidRequest", "bad aws-chunked size", 400);
    if (size === 0) return Buffer.concat(parts);
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

export async function startS3(stateDir: string): Promise<S3Service> {
  await mkdir(stateDir, { recursive: true });
  const bucketDir = (bucket: string) => join(stateDir, bucket);

  async function requireBucket(bucket: string): Promise<string> {
    const dir = bucketDir(bucket);
    const exists = await stat(join(dir, ".bucket.json")).then(
      () => true,
      () => false,
    );
    if (!exists) {
      throw new S3Error("NoSuchBucket", "The specified bucket does not exist", 404, { BucketName: bucket });
    }
    return dir;
  }

  async function readObject(bucket: string, key: string): Promise<StoredObject> {
    const dir = await requireBucket(bucket);
    try {
      return JSON.parse(await readFile(join(dir, fileOf(key)), "utf8")) as StoredObject;
    } catch {
      throw new S3Error("NoSuchKey", "The specified key does not exist.", 404, { Key: key });
    }
  }

  async function listObjects(bucket: string): Promise<StoredObject[]> {
    const dir = await requireBucket(bucket);
    const names = (await readdir(dir)).filter((n) => n.endsWith(".json") && n !== ".bucket.json");
    const objects = await Promise.all(
      names.map(async (n) => JSON.parse(await readFile(join(dir, n), "utf8")) as StoredObject),
    );
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  function send(
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body?: string | Buffer,
  ) {
    res.writeHead(status, {
      "x-amz-request-id": createHash("md5").update(String(Math.random())).digest("hex").slice(0, 16),
      ...headers,
    });
    res.end(body);
  }

  function objectHeaders(o: StoredObject, length: number): Record<string, string> {
    return {
      "content-type": o.contentType,
      "content-length": String(length),
      etag: o.etag,
      "last-modified": new Date(o.lastModified).toUTCString(),
      ...(o.sse ? { "x-amz-server-side-encryption": o.sse } : {}),
      ...Object.fromEntries(Object.entries(o.metadata).map(([k, v]) => [`x-amz-meta-${k}`, v])),
    };
  }

  async function route(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://s3");
    const [, rawBucket = "", ...rest] = url.pathname.split("/");
    const bucket = decodeURIComponent(rawBucket);
    const key = rest.map(decodeURIComponent).join("/");
    const method = req.method ?? "GET";
    if (!bucket) throw new S3Error("NotImplemented", "ListBuckets is not implemented locally", 501);
    if (!key) {
      if (method === "PUT") {
        if ([...url.searchParams.keys()].length > 0) {
          throw new S3Error(
            "NotImplemented",
            `Bucket configuration ?${url.search} is not implemented locally`,
            501,
          );
        }
        if (!BUCKET_NAME.test(bucket)) {
          throw new S3Error("InvalidBucketName", "The specified bucket is not valid.", 400, {
            BucketName: bucket,
          });
        }
        const dir = bucketDir(bucket);
        const marker = join(dir, ".bucket.json");
        if (
          await stat(marker).then(
            () => true,
            () => false,
          )
        ) {
          throw new S3Error(
            "BucketAlreadyOwnedByYou",
            "Your previous request to create the named bucket succeeded and you already own it.",
            409,
            { BucketName: bucket },
          );
        }
        await mkdir(dir, { recursive: true });
        await writeFileAtomic(marker, JSON.stringify({ name: bucket, createdAt: new Date().toISOString() }));
        return send(res, 200, { location: `/${bucket}` });
      }
      if (method === "HEAD") {
        await requireBucket(bucket);
        return send(res, 200, { "x-amz-bucket-region": "us-east-1" });
      }
      if (method === "GET" && url.searchParams.get("list-type") === "2") {
        const prefix = url.searchParams.get("prefix") ?? "";
        const max = Math.min(1000, Number(url.searchParams.get("max-keys") ?? 1000));
        const after = url.searchParams.get("continuation-token") ?? url.searchParams.get("start-after") ?? "";
        const all = (await listObjects(bucket)).filter((o) => o.key.startsWith(prefix) && o.key > after);
        const page = all.slice(0, max);
        const truncated = all.length > page.length;
        const contents = page
          .map(
            (o) =>
              `<Contents><Key>${xmlEscape(o.key)}</Key><LastModified>${o.lastModified}</LastModified>` +
              `<ETag>${xmlEscape(o.etag)}</ETag><Size>${Buffer.from(o.body, "base64").length}</Size>` +
              "<StorageClass>STANDARD</StorageClass></Contents>",
          )
          .join("");
        const next = truncated
          ? `<NextContinuationToken>${xmlEscape(page.at(-1)?.key ?? "")}</NextContinuationToken>`
          : "";
        const xml =
          '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
          `<Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount>` +
          `<MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}${next}</ListBucketResult>`;
        return send(res, 200, { "content-type": "application/xml" }, xml);
      }
      throw new S3Error("NotImplemented", `${method} on a bucket is not implemented locally`, 501);
    }
    switch (method) {
      case "PUT": {
        const dir = await requireBucket(bucket);
        const chunked =
          String(req.headers["content-encoding"] ?? "").includes("aws-chunked") ||
          String(req.headers["x-amz-content-sha256"] ?? "").startsWith("STREAMING-");
        const data = chunked ? decodeAwsChunked(body) : body;
        const sse = req.headers["x-amz-server-side-encryption"];
        const metadata = Object.fromEntries(
          Object.entries(req.headers)
            .filter(([k]) => k.startsWith("x-amz-meta-"))
            .map(([k, v]) => [k.slice("x-amz-meta-".length), String(v)]),
        );
        const o: StoredObject = {
          key,
          contentType: String(req.headers["content-type"] ?? "binary/octet-stream"),
          etag: `"${createHash("md5").update(data).digest("hex")}"`,
          lastModified: new Date().toISOString(),
          ...(typeof sse === "string" ? { sse } : {}),
          metadata,
          body: data.toString("base64"),
        };
        await writeFileAtomic(join(dir, fileOf(key)), JSON.stringify(o));
        return send(res, 200, { etag: o.etag, ...(o.sse ? { "x-amz-server-side-encryption": o.sse } : {}) });
      }
      case "GET":
      case "HEAD": {
        const o = await readObject(bucket, key);
        const data = Buffer.from(o.body, "base64");
        return send(res, 200, objectHeaders(o, data.length), method === "GET" ? data : undefined);
      }
      case "DELETE": {
        const dir = await requireBucket(bucket);
        await rm(join(dir, fileOf(key)), { force: true });
        return send(res, 204, {});
      }
      default:
        throw new S3Error("NotImplemented", `${method} is not implemented locally`, 501);
    }
  }

  return {
    signingName: "s3",
    async handleHttp(req, body, res) {
      try {
        await route(req, body, res);
      } catch (err) {
        if (!(err instanceof S3Error)) throw err;
        const extra = Object.entries(err.extra)
          .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
          .join("");
        // HEAD answers carry no body: the SDK names the error from the status (NotFound).
        const xml =
          req.method === "HEAD"
            ? undefined
            : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${err.code}</Code><Message>${xmlEscape(err.message)}</Message>${extra}</Error>`;
        send(res, err.status, { "content-type": "application/xml" }, xml);
      }
    },
    async stop() {},
  };
}
