/** GET /plans: the public plan catalog the signup page shows (no quotas, templates or billing ids). */
import { plans as planStore } from "../core/app/deps/dynamodb.js";
import { dependencies } from "../core/app/environment.js";
import { json } from "../core/http/response.js";
import { publicPlan } from "../core/plans/public.js";
import { lambda } from "../core/runtime/handler.js";

const { plans } = dependencies({ plans: planStore });

export const handler = lambda("plan-catalog", async () => {
  const list = await plans.list();
  // Operators edit plans without a redeploy: a short cache keeps edits visible within a minute.
  return json(200, { plans: list.map(publicPlan) }, { "cache-control": "public, max-age=60" });
});
