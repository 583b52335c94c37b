/**
 * The public HTTP API (API Gateway v2, payload 2.0 as the local web server sends): the same routes as
 * local/wiring/embark.ts, stage-wide throttling and tighter throttling on the public signup route.
 * Add a route: one entry in ROUTES.
 */
import type { FunctionName } from "../core/onboarding/resources.js";
import type { EmbarkConfig } from "./config.js";
import type { Functions } from "./functions.js";

export const ROUTES = {
  "POST /signups": "signup-intake",
  "GET /tenants/{id}": "tenant-status",
  "GET /": "signup-page",
  "GET /plans": "plan-catalog",
  "GET /slugs/{slug}": "slug-availability",
  "POST /billing/webhook": "billing-intake",
} as const satisfies Record<string, FunctionName>;

/** Routes anyone on the internet can call without a signature: throttled harder. */
export const PUBLIC_WRITE_ROUTES = ["POST /signups"];

export function createApi(
  config: EmbarkConfig,
  functions: Functions,
  routes: Record<string, FunctionName> = ROUTES,
) {
  const t = config.throttle;
  // Route settings may only name routes that exist, so the stage waits for the routes made below.
  let routesMade!: (routes: $util.Resource[]) => void;
  const madeRoutes = new Promise<$util.Resource[]>((resolve) => {
    routesMade = resolve;
  });
  const api = new sst.aws.ApiGatewayV2("Api", {
    transform: {
      stage: (args, opts) => {
        args.defaultRouteSettings = { throttlingRateLimit: t.rateLimit, throttlingBurstLimit: t.burstLimit };
        args.routeSettings = PUBLIC_WRITE_ROUTES.filter((r) => r in routes).map((routeKey) => ({
          routeKey,
          throttlingRateLimit: t.signupRateLimit,
          throttlingBurstLimit: t.signupBurstLimit,
        }));
        opts.dependsOn = madeRoutes;
      },
    },
  });
  routesMade(Object.entries(routes).map(([route, fn]) => api.route(route, functions[fn].arn)));
  return api;
}
