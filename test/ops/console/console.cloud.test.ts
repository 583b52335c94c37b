/**
 * The operator console over plain HTTP: its pages answer, unknown pages are 404, and its local-only guards
 * hold (loopback Host only, no cross-site form posts). The browser suite covers what the pages show.
 */
import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { cloud } from "../../support/cloud.js";

function raw(
  path: string,
  method: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const url = new URL(path, cloud().web);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method, headers },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c) => {
          body += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("operator console (HTTP)", () => {
  it("serves every section with the local-only banner", async () => {
    for (const section of ["tenants", "executions", "queues", "mail"]) {
      const res = await fetch(`${cloud().web}/console/${section}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const html = await res.text();
      expect(html).toContain("Local operator console.");
      expect(html).toContain(`href="/console/${section}" aria-current="page"`);
    }
    const root = await fetch(`${cloud().web}/console`, { redirect: "manual" });
    expect(root.status).toBe(303);
    expect(root.headers.get("location")).toBe("/console/tenants");
  });

  it("answers 404 for unknown pages, tenants and executions, and 405 for a wrong method", async () => {
    expect((await fetch(`${cloud().web}/console/nope`)).status).toBe(404);
    expect((await fetch(`${cloud().web}/console/tenants/no-such-tenant`)).status).toBe(404);
    const exec = await fetch(`${cloud().web}/console/executions/embark-onboarding/no-such-onboard-1`);
    expect(exec.status).toBe(404);
    expect((await fetch(`${cloud().web}/console/tenants`, { method: "POST" })).status).toBe(405);
  });

  it("refuses requests for a non-loopback host name (DNS rebinding)", async () => {
    const res = await raw("/console/tenants", "GET", { host: "evil.example:3000" });
    expect(res.status).toBe(403);
    expect(res.body).toContain("answers only on 127.0.0.1 / localhost");
  });

  it("refuses cross-site form posts", async () => {
    const path = "/console/executions/embark-onboarding/anything-onboard-1/redrive";
    const host = new URL(cloud().web).host;
    const crossSite = await raw(path, "POST", {
      host,
      "sec-fetch-site": "cross-site",
      origin: "https://evil.example",
    });
    expect(crossSite.status).toBe(403);
    const otherOrigin = await raw(path, "POST", { host, origin: "https://evil.example" });
    expect(otherOrigin.status).toBe(403);
    // A same-origin post gets through to Step Functions, which knows no such execution.
    const same = await raw(path, "POST", { host, "sec-fetch-site": "same-origin", origin: `http://${host}` });
    expect(same.status).toBe(404);
    expect(same.body).toContain("anything-onboard-1");
  });
});
