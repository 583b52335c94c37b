import { describe, expect, it } from "vitest";
import { RouteTable } from "../../../local/web/routes.js";

function table(...routes: Array<[string, string]>): RouteTable {
  const t = new RouteTable();
  for (const [method, path] of routes) t.add({ method, path, functionName: `${method} ${path}` });
  return t;
}

describe("HTTP API route matching", () => {
  it("prefers literal segments, then variables, then greedy variables, then $default", () => {
    const t = table(
      ["$default", "$default"],
      ["ANY", "/tenants/{proxy+}"],
      ["GET", "/tenants/{id}"],
      ["GET", "/tenants/me"],
    );
    expect(t.match("GET", "/tenants/me")?.routeKey).toBe("GET /tenants/me");
    expect(t.match("GET", "/tenants/t-1")?.routeKey).toBe("GET /tenants/{id}");
    expect(t.match("GET", "/tenants/t-1/steps")?.routeKey).toBe("ANY /tenants/{proxy+}");
    expect(t.match("POST", "/tenants/t-1")?.routeKey).toBe("ANY /tenants/{proxy+}");
    expect(t.match("GET", "/elsewhere")?.routeKey).toBe("$default");
  });

  it("prefers a named method over ANY on the same path", () => {
    const t = table(["ANY", "/signups"], ["POST", "/signups"]);
    expect(t.match("POST", "/signups")?.routeKey).toBe("POST /signups");
    expect(t.match("GET", "/signups")?.routeKey).toBe("ANY /signups");
  });

  it("decodes path parameters and needs at least one segment for a greedy variable", () => {
    const t = table(["GET", "/assets/{proxy+}"], ["GET", "/tenants/{id}"]);
    expect(t.match("GET", "/tenants/acme%2Fco")?.pathParams).toEqual({ id: "acme/co" });
    expect(t.match("GET", "/assets/css/site%20main.css")?.pathParams).toEqual({ proxy: "css/site main.css" });
    expect(t.match("GET", "/assets")).toBeUndefined();
    expect(t.match("GET", "/tenants/a/b")).toBeUndefined();
    expect(t.match("DELETE", "/tenants/a")).toBeUndefined();
  });

  it("replaces a route added again with the same method and path", () => {
    const t = new RouteTable();
    t.add({ method: "GET", path: "/x", functionName: "old" });
    t.add({ method: "get", path: "/x", functionName: "new" });
    expect(t.match("GET", "/x")?.route.functionName).toBe("new");
  });

  it("refuses a greedy variable that is not last", () => {
    expect(() => table(["GET", "/{proxy+}/x"])).toThrow(/Greedy/);
  });
});
