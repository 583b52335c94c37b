/** GET /tenants/{id}: status, plan and per-step progress of a tenant (by id or slug). Never secrets. */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { tenants as tenantStore } from "../core/app/deps/dynamodb.js";
import { dependencies } from "../core/app/environment.js";
import { quoteInput } from "../core/errors.js";
import { json, problem } from "../core/http/response.js";
import { lambda } from "../core/runtime/handler.js";
import { findTenant, tenantRefProblem } from "../core/tenant/lookup.js";
import { publicTenantView } from "../core/tenant/model.js";

const { tenants } = dependencies({ tenants: tenantStore });

export const handler = lambda(
  "tenant-status",
  async (event: APIGatewayProxyEventV2, _context, { logger }) => {
    const id = event.pathParameters?.id ?? "";
    const problemWithId = tenantRefProblem(id);
    if (problemWithId) return problem(400, "invalid_tenant_ref", problemWithId, "id");
    const tenant = await findTenant(tenants, id);
    if (!tenant) return problem(404, "tenant_not_found", `No tenant with id or slug ${quoteInput(id)}`);
    logger.appendKeys({ tenantId: tenant.tenantId });
    return json(200, publicTenantView(tenant));
  },
);
