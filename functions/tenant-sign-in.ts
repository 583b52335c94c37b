/** GET /tenants/{slug}/sign-in: the tenant's user pool and app client ids for the sign-in page; never secrets. */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { tenants } from "../core/app/deps/dynamodb.js";
import { dependencies } from "../core/app/environment.js";
import { json } from "../core/http/response.js";
import { lambda } from "../core/runtime/handler.js";
import { SIGN_IN_ERRORS, signInConfig } from "../core/tenant/sign-in.js";

const deps = dependencies({ tenants });

export const handler = lambda(
  "tenant-sign-in",
  async (event: APIGatewayProxyEventV2) =>
    json(200, await signInConfig(deps, event.pathParameters?.slug ?? "")),
  { errors: SIGN_IN_ERRORS },
);
