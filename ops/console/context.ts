/** What a console page handler gets (the readers' clients, ops/read) and returns. */
import type { TenantStore } from "../../core/tenant/store.js";
import type { AwsClients } from "../read/clients.js";
import { executionArnOf, listStateMachines } from "../read/executions.js";
import type { Flash } from "./layout.js";

export interface ConsoleRequest {
  method: string;
  url: URL;
  /** SDK clients pointed at the local cloud's edge. */
  aws: AwsClients;
  tenants: TenantStore;
  /** The edge, whose /_aws/ses lists the mail the local SES accepted. */
  edgeUrl: string;
  /** A POSTed form's fields (application/x-www-form-urlencoded). */
  form?: URLSearchParams;
}

export type ConsoleResponse = { status: number; html: string } | { status: 303; location: string };

export class NotFound extends Error {
  override name = "NotFound";
}

/** How many executions per state machine a page reads (ListExecutions pages of 100). */
export const MAX_EXECUTIONS_PER_MACHINE = 500;

/** An execution's ARN, built on its state machine's ARN (so region and account are the cloud's own). */
export async function executionArnNamed(req: ConsoleRequest, stateMachine: string, name: string) {
  const machine = (await listStateMachines(req.aws.sfn)).find((m) => m.name === stateMachine);
  if (!machine?.stateMachineArn) throw new NotFound(`No state machine named "${stateMachine}"`);
  return executionArnOf(machine.stateMachineArn, name);
}

/** `/console/executions/<state machine>/<name>` for an execution ARN. */
export function executionHref(executionArn: string): string {
  const parts = executionArn.split(":");
  const name = parts.at(-1) ?? "";
  const machine = parts.at(-2) ?? "";
  return `/console/executions/${encodeURIComponent(machine)}/${encodeURIComponent(name)}`;
}

/** Fixed texts for `?done=` after a POST, so nothing from the query string is echoed into the page. */
export const DONE_MESSAGES: Record<string, string> = {
  redriven: "Redrive started: the execution resumes from the state that failed.",
  "dlq-redrive": "Redrive started: the messages are moving back to their source queue.",
  cancelled: "Cancellation started: the tenant is exported, then retained (CANCELLED) until its purge.",
  restored: "Restore started: the tenant becomes ACTIVE again with the same pool, users and namespace.",
};

export function flashOf(url: URL): Flash | undefined {
  const text = DONE_MESSAGES[url.searchParams.get("done") ?? ""];
  return text ? { kind: "ok", text } : undefined;
}
