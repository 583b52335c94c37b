/** GET /login?tenant=<slug>: the tenant sign-in page (HTML with its script and stylesheet inlined; web/login/). */
import { lambda } from "../core/runtime/handler.js";
import { cognitoEndpointFrom, renderLoginPage } from "../web/login/page.js";

// The same for every request: render once per cold start.
const page = renderLoginPage({ cognitoEndpoint: cognitoEndpointFrom() });

export const handler = lambda("login-page", async () => ({
  statusCode: 200,
  headers: page.headers,
  body: page.html,
}));
