/**
 * `/_embark/faults` on the edge (local-only, like LocalStack's `/_localstack/*` paths):
 * - GET: the plan and the faults injected so far, per kind and per operation;
 * - POST: replaces the plan (the body is a plan, validated; 400 names every problem); counts are kept;
 * - DELETE: no faults, counts reset.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { faults } from "./index.js";
import { FaultPlanError, NO_FAULTS, parseFaultPlan } from "./plan.js";

export const FAULTS_PATH = "/_embark/faults";

export function serveFaults(req: IncomingMessage, body: Buffer, res: ServerResponse): ServerResponse {
  const send = (status: number, payload: unknown) =>
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload));
  if (req.method === "GET") return send(200, { plan: faults.currentPlan(), counts: faults.snapshot() });
  if (req.method === "DELETE") {
    faults.setPlan(NO_FAULTS);
    faults.resetCounts();
    return send(200, { plan: faults.currentPlan(), counts: faults.snapshot() });
  }
  if (req.method === "POST") {
    try {
      const json = body.length > 0 ? JSON.parse(body.toString("utf8")) : {};
      faults.setPlan(parseFaultPlan(json));
    } catch (err) {
      const message =
        err instanceof FaultPlanError ? err.message : `Invalid fault plan: ${(err as Error).message}`;
      return send(400, { error: "InvalidFaultPlan", message });
    }
    return send(200, { plan: faults.currentPlan(), counts: faults.snapshot() });
  }
  return res
    .writeHead(405, { allow: "GET, POST, DELETE", "content-type": "application/json" })
    .end(JSON.stringify({ error: "MethodNotAllowed", message: `${req.method} ${FAULTS_PATH}` }));
}

/** Client side, for tests and the soak (another process). */
export async function readFaults(edgeUrl: string) {
  const res = await fetch(`${edgeUrl}${FAULTS_PATH}`);
  if (!res.ok) throw new Error(`GET ${FAULTS_PATH}: HTTP ${res.status}`);
  return (await res.json()) as {
    plan: ReturnType<typeof faults.currentPlan>;
    counts: ReturnType<typeof faults.snapshot>;
  };
}

export async function setFaults(edgeUrl: string, plan: unknown): Promise<void> {
  const res = await fetch(`${edgeUrl}${FAULTS_PATH}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(plan),
  });
  if (!res.ok) throw new Error(`POST ${FAULTS_PATH}: HTTP ${res.status}: ${await res.text()}`);
}
