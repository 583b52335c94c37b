import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { KubeHttp } from "../../../core/adapters/kube-http.js";
import { kubeConfigFor } from "../../../local/k8s/kubeconfig.js";

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/**
 * A server answering each request with the next of `answers` (the last one repeats); counts the requests. Status 0
 * closes the connection without an answer (a dropped connection, or an answer lost after the change was made).
 */
async function answering(answers: Array<{ status: number; headers?: Record<string, string> }>) {
  const seen: string[] = [];
  server = createServer((req, res) => {
    const a = answers[Math.min(seen.length, answers.length - 1)]!;
    seen.push(`${req.method} ${req.url}`);
    if (a.status === 0) {
      req.socket.destroy();
      return;
    }
    res.writeHead(a.status, { "content-type": "application/json", ...a.headers });
    res.end(
      JSON.stringify({ kind: "Status", code: a.status, reason: a.status === 429 ? "TooManyRequests" : "X" }),
    );
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { http: new KubeHttp(kubeConfigFor(`http://127.0.0.1:${port}`), 5_000, 5), seen };
}

describe("KubeHttp retries what the apiserver did not act on", () => {
  it("429 with Retry-After and 503 are retried (as client-go does), then the answer is returned", async () => {
    const { http, seen } = await answering([
      { status: 429, headers: { "retry-after": "0" } },
      { status: 503 },
      { status: 200 },
    ]);
    const res = await http.request("PATCH", "/api/v1/namespaces/a", { body: "{}" });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(3);
  });

  it("gives up after four attempts and returns the last answer (the step's retry takes over)", async () => {
    const { http, seen } = await answering([{ status: 429 }]);
    expect((await http.request("GET", "/api/v1/namespaces")).status).toBe(429);
    expect(seen).toHaveLength(4);
  });

  it("a 500 (may have been applied) is not retried here", async () => {
    const { http, seen } = await answering([{ status: 500 }]);
    expect((await http.request("POST", "/api/v1/namespaces", { body: "{}" })).status).toBe(500);
    expect(seen).toHaveLength(1);
  });

  it("a 500 or a lost connection on an idempotent request (read, delete, server-side apply) is retried", async () => {
    const apply = { body: "{}", contentType: "application/apply-patch+yaml" };
    const first = await answering([{ status: 500 }, { status: 0 }, { status: 200 }]);
    expect((await first.http.request("PATCH", "/api/v1/namespaces/a", apply)).status).toBe(200);
    expect(first.seen).toHaveLength(3);
    await new Promise<void>((r) => server!.close(() => r()));

    const read = await answering([{ status: 0 }, { status: 502 }, { status: 200 }]);
    expect((await read.http.request("GET", "/api/v1/namespaces/a")).status).toBe(200);
    expect(read.seen).toHaveLength(3);
  });

  it("a lost connection on a create is not retried here (it may have been made)", async () => {
    const { http, seen } = await answering([{ status: 0 }, { status: 200 }]);
    await expect(http.request("POST", "/api/v1/namespaces", { body: "{}" })).rejects.toMatchObject({
      name: "TransientError",
    });
    expect(seen).toHaveLength(1);
  });
});
