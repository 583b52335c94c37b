/**
 * Raw requests to a Kubernetes API server with a KubeConfig's credentials and TLS settings (token, exec
 * plugin, client certificate, CA, skip-verify): the body goes out exactly as we wrote it. client-node's typed
 * APIs run objects through its model serializer, which silently drops wire names it does not expect
 * (NetworkPolicy `from`, LimitRange `default`), so Embark never sends objects through it.
 */
import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { StepError } from "../workflow/retry.js";

export interface KubeResponse {
  status: number;
  body: unknown;
  /** The Retry-After header of a 429/503, in seconds. */
  retryAfter?: string;
}

/** A Status the API server answered with; `reason` is e.g. "NotFound", "Invalid", "Forbidden". */
export class KubernetesApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly reason: string | undefined,
  ) {
    super(message);
    this.name = "KubernetesApiError";
  }
}

/** An error the onboarding Tasks' Retry matches by name (see core/workflow/retry.ts). */
export function transientError(message: string, cause?: unknown): StepError {
  return new StepError("TransientError", message, cause === undefined ? undefined : { cause });
}

/** Server trouble or rate limiting: worth a retry (the Task's Retry matches TransientError). */
const TRANSIENT_STATUSES = new Set([429, 500, 502, 503, 504]);
/** Network failures that heal; TLS verification failures and the like do not. */
const TRANSIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "KUBE_TIMEOUT",
]);

function networkError(method: string, path: string, err: Error & { code?: string }): Error {
  const message = `${method} ${path}: ${err.message}`;
  return err.code && TRANSIENT_CODES.has(err.code)
    ? transientError(message, err)
    : new Error(message, { cause: err });
}

export function describeStatus(method: string, path: string, res: KubeResponse): string {
  const s = res.body as { message?: string; reason?: string } | undefined;
  return `${method} ${path}: HTTP ${res.status}${s?.reason ? ` ${s.reason}` : ""}${s?.message ? `: ${s.message}` : ""}`;
}

/** The error for a response that was not what the caller expected. */
export function statusError(method: string, path: string, res: KubeResponse): Error {
  const message = describeStatus(method, path, res);
  if (TRANSIENT_STATUSES.has(res.status)) return transientError(message);
  const reason = (res.body as { reason?: string } | undefined)?.reason;
  // Writing into a namespace that is still terminating (a re-onboard right after an offboard) works once
  // the cascade has finished.
  if (res.status === 403 && /being terminated/.test(message)) return transientError(message);
  return new KubernetesApiError(message, res.status, reason);
}

/**
 * Answers that say the apiserver did not act on the request and to come back (priority and fairness, an apiserver
 * shedding load): client-go retries these for every verb, honouring Retry-After, and so do we, a few times, before a
 * step gives up with a TransientError. Other 5xx and a connection lost mid-request may have been applied: retried
 * here only for requests that are idempotent (reads, deletes, server-side apply), as the AWS SDK retries its
 * calls; a create is left to the step's idempotent retry. (A step applying a dozen objects, each failing now and
 * then, used to exhaust its retries under the soak's 10% faults.)
 */
const RETRY_STATUSES = new Set([429, 503]);
const IDEMPOTENT_RETRY_STATUSES = new Set([500, 502, 504]);
const MAX_ATTEMPTS = 4;

function idempotent(method: string, contentType: string | undefined): boolean {
  if (method === "GET" || method === "HEAD" || method === "DELETE") return true;
  return method === "PATCH" && contentType === "application/apply-patch+yaml";
}

export class KubeHttp {
  constructor(
    readonly kubeConfig: KubeConfig,
    private readonly timeoutMs = 30_000,
    private readonly retryDelayMs = 250,
  ) {}

  async request(
    method: string,
    path: string,
    opts: { body?: string; contentType?: string; query?: Record<string, string> } = {},
  ): Promise<KubeResponse> {
    const retryable = idempotent(method, opts.contentType);
    for (let attempt = 1; ; attempt++) {
      let res: KubeResponse;
      try {
        res = await this.once(method, path, opts);
      } catch (err) {
        // Not a request that got no answer in time: four of those would outlast the step's own timeout.
        const timedOut = (err as { cause?: { code?: string } }).cause?.code === "KUBE_TIMEOUT";
        const transient = err instanceof StepError && err.name === "TransientError" && !timedOut;
        if (!retryable || !transient || attempt >= MAX_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, this.retryDelayMs * 2 ** (attempt - 1)));
        continue;
      }
      const again =
        RETRY_STATUSES.has(res.status) || (retryable && IDEMPOTENT_RETRY_STATUSES.has(res.status));
      if (!again || attempt >= MAX_ATTEMPTS) return res;
      const after = Number(res.retryAfter);
      const wait =
        Number.isFinite(after) && after > 0
          ? Math.min(after * 1000, 5_000)
          : this.retryDelayMs * 2 ** (attempt - 1);
      await new Promise((r) => setTimeout(r, Math.min(wait, this.retryDelayMs * 8)));
    }
  }

  private async once(
    method: string,
    path: string,
    opts: { body?: string; contentType?: string; query?: Record<string, string> } = {},
  ): Promise<KubeResponse> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error("The kubeconfig has no current cluster");
    const url = new URL(cluster.server.replace(/\/+$/, "") + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);

    const options: https.RequestOptions = {
      method,
      headers: {
        accept: "application/json",
        ...(opts.body !== undefined
          ? {
              "content-type": opts.contentType ?? "application/json",
              "content-length": Buffer.byteLength(opts.body),
            }
          : {}),
      },
    };
    // Adds the Authorization header and an agent carrying the cluster's CA / client cert / skip-verify.
    await this.kubeConfig.applyToHTTPSOptions(options);
    const transport = url.protocol === "https:" ? https : http;

    return new Promise<KubeResponse>((resolve, reject) => {
      const req = transport.request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (err) => reject(networkError(method, url.pathname, err)));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // Not JSON (a proxy's error page): keep the text for the message.
          }
          const retryAfter = res.headers["retry-after"];
          resolve({ status: res.statusCode ?? 0, body, ...(retryAfter ? { retryAfter } : {}) });
        });
      });
      req.setTimeout(this.timeoutMs, () =>
        req.destroy(
          Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { code: "KUBE_TIMEOUT" }),
        ),
      );
      req.on("error", (err) => reject(networkError(method, url.pathname, err)));
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    });
  }
}
