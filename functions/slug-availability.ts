/** GET /slugs/{slug}: whether a slug can name a new workspace: {slug, available, reason?, message?}. */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { tenants as tenantStore } from "../core/app/deps/dynamodb.js";
import { dependencies } from "../core/app/environment.js";
import { json } from "../core/http/response.js";
import { lambda } from "../core/runtime/handler.js";
import { slugAvailability } from "../core/tenant/slug-availability.js";

const { tenants } = dependencies({ tenants: tenantStore });

export const handler = lambda("slug-availability", async (event: APIGatewayProxyEventV2) => {
  // Long input is refused by validateSlug's length rule; cap what is echoed back.
  const slug = (event.pathParameters?.slug ?? "").slice(0, 100);
  const result = await slugAvailability(slug, async (s) => !(await tenants.slugFree(s)));
  return json(200, result);
});
