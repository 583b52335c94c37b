/** GET /: the signup page (HTML with its script and stylesheet inlined; see web/signup/signup-page.ts). */
import { lambda } from "../core/runtime/handler.js";
import { renderSignupPage } from "../web/signup/page.js";

// The page is the same for every request: render once per cold start.
const page = renderSignupPage({ appUrl: process.env.EMBARK_APP_URL ?? "" });

export const handler = lambda("signup-page", async () => ({
  statusCode: 200,
  headers: page.headers,
  body: page.html,
}));
