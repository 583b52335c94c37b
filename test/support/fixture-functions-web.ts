/** Fixture functions and routes for the web (API Gateway v2) suite; they run in the global-setup process. */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { FunctionDefinition, FunctionRegistry } from "../../local/lambda/registry.js";
import type { WebRoute } from "../../local/web/server.js";

export const webFixtureFunctions: FunctionDefinition[] = [
  {
    // Structured response carrying the event it received.
    name: "fixture-web-echo",
    load: async () => async (event: APIGatewayProxyEventV2) => ({
      statusCode: 200,
      headers: { "content-type": "application/json", "x-fixture": "echo" },
      cookies: ["session=abc; Path=/; HttpOnly", "theme=dark"],
      body: JSON.stringify(event),
    }),
  },
  { name: "fixture-web-bare", load: async () => async () => ({ hello: "world" }) },
  { name: "fixture-web-string", load: async () => async () => "plain words" },
  {
    name: "fixture-web-binary",
    load: async () => async () => ({
      statusCode: 201,
      headers: { "content-type": "application/octet-stream" },
      body: Buffer.from([0, 1, 2, 250, 251]).toString("base64"),
      isBase64Encoded: true,
    }),
  },
  {
    name: "fixture-web-throw",
    load: async () => async () => {
      throw new Error("fixture web failure");
    },
  },
  { name: "fixture-web-malformed", load: async () => async () => ({ statusCode: "not a number" }) },
];

export const webFixtureRoutes: WebRoute[] = [
  { method: "POST", path: "/fixture/echo", functionName: "fixture-web-echo" },
  { method: "GET", path: "/fixture/items/{id}", functionName: "fixture-web-echo" },
  { method: "GET", path: "/fixture/items/special", functionName: "fixture-web-bare" },
  { method: "ANY", path: "/fixture/files/{proxy+}", functionName: "fixture-web-echo" },
  { method: "GET", path: "/fixture/string", functionName: "fixture-web-string" },
  { method: "GET", path: "/fixture/binary", functionName: "fixture-web-binary" },
  { method: "GET", path: "/fixture/throw", functionName: "fixture-web-throw" },
  { method: "GET", path: "/fixture/malformed", functionName: "fixture-web-malformed" },
];

/** The parts of LocalCloud the wiring needs. */
export interface WebFixtureHost {
  functions: FunctionRegistry;
  web: { addRoute(route: WebRoute): void };
}

export async function wireWebFixtures(cloud: WebFixtureHost): Promise<void> {
  for (const def of webFixtureFunctions) cloud.functions.register(def);
  for (const route of webFixtureRoutes) cloud.web.addRoute(route);
}
