/**
 * The local API Gateway HTTP API: fetch against the web server, fixture routes from
 * test/support/fixture-functions-web.ts; the echo route returns the payload format 2.0 event it received.
 */
import { request } from "node:http";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { cloud } from "../../support/cloud.js";

const url = (path: string) => `${cloud().web}${path}`;

async function echo(
  path: string,
  init?: RequestInit,
): Promise<{ res: Response; event: APIGatewayProxyEventV2 }> {
  const res = await fetch(url(path), init);
  expect(res.status).toBe(200);
  return { res, event: (await res.json()) as APIGatewayProxyEventV2 };
}

describe("web server (API Gateway HTTP API)", () => {
  it("answers GET /health with every service running once ready", async () => {
    const res = await fetch(url("/health"));
    expect(res.status).toBe(200);
    const health = (await res.json()) as { status: string; services: Record<string, string> };
    expect(health.status).toBe("running");
    expect(health.services).toMatchObject({ web: "running", dynamodb: "running", states: "running" });
    expect(new Set(Object.values(health.services))).toEqual(new Set(["running"]));
  });

  it("answers 404 Not Found for a path or method no route matches", async () => {
    for (const [method, path] of [
      ["GET", "/no/such/route"],
      ["DELETE", "/fixture/echo"],
    ] as const) {
      const res = await fetch(url(path), { method });
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(await res.json()).toEqual({ message: "Not Found" });
    }
  });

  it("sends the function a payload format 2.0 event and maps its structured response", async () => {
    const body = JSON.stringify({ companyName: "Acme" });
    const { res, event } = await echo("/fixture/echo?b=2&a=1&a=3&sp=hello%20world", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "X-Custom-Header": "Yes",
        "user-agent": "embark-test/1.0",
        cookie: "c1=v1; c2=v2",
      },
      body,
    });
    expect(res.headers.get("x-fixture")).toBe("echo");
    expect(res.headers.getSetCookie()).toEqual(["session=abc; Path=/; HttpOnly", "theme=dark"]);
    const requestId = res.headers.get("apigw-requestid");
    expect(requestId).toBeTruthy();

    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "POST /fixture/echo",
      rawPath: "/fixture/echo",
      rawQueryString: "b=2&a=1&a=3&sp=hello%20world",
      cookies: ["c1=v1", "c2=v2"],
      queryStringParameters: { b: "2", a: "1,3", sp: "hello world" },
      body,
      isBase64Encoded: false,
      requestContext: {
        accountId: "000000000000",
        apiId: "local",
        domainName: "127.0.0.1",
        domainPrefix: "127",
        http: {
          method: "POST",
          path: "/fixture/echo",
          protocol: "HTTP/1.1",
          sourceIp: "127.0.0.1",
          userAgent: "embark-test/1.0",
        },
        requestId,
        routeKey: "POST /fixture/echo",
        stage: "$default",
      },
    });
    expect(event.pathParameters).toBeUndefined();
    expect(event.headers["x-custom-header"]).toBe("Yes");
    expect(event.headers["content-type"]).toBe("application/json");
    expect(event.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(event.headers["x-forwarded-proto"]).toBe("http");
    expect(event.headers.cookie).toBeUndefined();
    expect(Object.keys(event.headers).every((k) => k === k.toLowerCase())).toBe(true);
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(typeof event.requestContext.timeEpoch).toBe("number");
  });

  it("joins repeated request headers with commas", async () => {
    const { hostname, port } = new URL(cloud().web);
    const event = await new Promise<APIGatewayProxyEventV2>((resolve, reject) => {
      const req = request(
        {
          hostname,
          port,
          path: "/fixture/items/dup",
          method: "GET",
          headers: ["X-Dup", "a", "x-dup", "b", "Host", `${hostname}:${port}`],
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(event.headers["x-dup"]).toBe("a,b");
  });

  it("matches path variables, greedy paths and the most specific route", async () => {
    const item = await echo("/fixture/items/acme%20co");
    expect(item.event.routeKey).toBe("GET /fixture/items/{id}");
    expect(item.event.rawPath).toBe("/fixture/items/acme%20co");
    expect(item.event.pathParameters).toEqual({ id: "acme co" });

    const files = await echo("/fixture/files/a/b/c.txt", {
      method: "PUT",
      body: "x",
      headers: { "content-type": "text/plain" },
    });
    expect(files.event.routeKey).toBe("ANY /fixture/files/{proxy+}");
    expect(files.event.pathParameters).toEqual({ proxy: "a/b/c.txt" });
    expect(files.event.requestContext.http.method).toBe("PUT");
    expect(files.event.body).toBe("x");

    // A literal segment beats a variable: this route's function returns a bare object.
    const special = await fetch(url("/fixture/items/special"));
    expect(special.status).toBe(200);
    expect(special.headers.get("content-type")).toBe("application/json");
    expect(await special.json()).toEqual({ hello: "world" });
  });

  it("base64-encodes bodies that are not text", async () => {
    const bytes = Buffer.from([0, 159, 146, 150, 255]);
    const binary = await echo("/fixture/echo", {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: bytes,
    });
    expect(binary.event.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.event.body ?? "", "base64")).toEqual(bytes);

    const form = await echo("/fixture/echo", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "name=Acme+Co&plan=free",
    });
    expect(form.event.isBase64Encoded).toBe(true);
    expect(Buffer.from(form.event.body ?? "", "base64").toString()).toBe("name=Acme+Co&plan=free");
  });

  it("maps bare results and base64 responses as API Gateway does", async () => {
    const text = await fetch(url("/fixture/string"));
    expect(text.status).toBe(200);
    expect(text.headers.get("content-type")).toBe("application/json");
    expect(await text.text()).toBe("plain words");

    const binary = await fetch(url("/fixture/binary"));
    expect(binary.status).toBe(201);
    expect(binary.headers.get("content-type")).toBe("application/octet-stream");
    expect(Buffer.from(await binary.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 250, 251]));
  });

  it("answers 500 Internal Server Error when the function fails or answers malformed", async () => {
    for (const path of ["/fixture/throw", "/fixture/malformed"]) {
      const res = await fetch(url(path));
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ message: "Internal Server Error" });
    }
  });

  it("refuses a request body over 10 MB with 413", async () => {
    const res = await fetch(url("/fixture/echo"), {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x61),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ message: "Request Entity Too Large" });
  });
});
