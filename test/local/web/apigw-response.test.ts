import { describe, expect, it } from "vitest";
import { fromLambdaResult } from "../../../local/web/apigw-response.js";

describe("API Gateway v2 response mapping", () => {
  it("sends results without statusCode as 200 application/json", () => {
    const obj = fromLambdaResult({ hello: "world" });
    expect(obj.statusCode).toBe(200);
    expect(obj.headers["content-type"]).toBe("application/json");
    expect(obj.body.toString()).toBe('{"hello":"world"}');
    expect(fromLambdaResult("plain").body.toString()).toBe("plain");
    expect(fromLambdaResult(undefined).body.toString()).toBe("null");
    expect(fromLambdaResult([1, 2]).body.toString()).toBe("[1,2]");
  });

  it("maps a structured response: status, lower-cased headers, cookies, base64 bodies", () => {
    const r = fromLambdaResult({
      statusCode: 302,
      headers: { Location: "/welcome", "X-Count": 3 },
      cookies: ["a=1"],
      body: Buffer.from("hi").toString("base64"),
      isBase64Encoded: true,
    });
    expect(r).toMatchObject({
      statusCode: 302,
      headers: { location: "/welcome", "x-count": "3" },
      cookies: ["a=1"],
    });
    expect(r.body.toString()).toBe("hi");
    expect(fromLambdaResult({ statusCode: 204 }).body.length).toBe(0);
  });

  it("rejects malformed structured responses", () => {
    expect(() => fromLambdaResult({ statusCode: "abc" })).toThrow(/statusCode/);
    expect(() => fromLambdaResult({ statusCode: 200, headers: { a: { b: 1 } } })).toThrow(/header/);
    expect(() => fromLambdaResult({ statusCode: 200, cookies: "a=1" })).toThrow(/cookies/);
  });
});
