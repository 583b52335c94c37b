/**
 * The public HTTP API (API Gateway v2, payload 2.0 as the local web server sends): the manifest's routes,
 * stage-wide throttling and tighter throttling on the public write routes.
 */
import { type FunctionName, PUBLIC_WRITE_ROUTES, ROUTES } from "../core/app/manifest.js";
import type { EmbarkConfig } from "./config.js";
import type { Functions } from "./functions.js";

/**
 * The API first (its URL is the sign-in page's address, which every function's environment names), its routes
 * once the functions exist (`addRoutes`).
 */
export function createApi(config: EmbarkConfig, routes: Record<string, FunctionName> = ROUTES) {
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
  return {
    api,
    url: api.url,
    addRoutes(functions: Functions) {
      routesMade(Object.entries(routes).map(([route, fn]) => api.route(route, functions[fn].arn)));
    },
  };
}
