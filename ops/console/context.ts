/** What a console page handler gets and returns. */
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "../../local/aws/constants.js";
import type { ConsoleAws } from "./aws.js";

export interface ConsoleRequest {
  method: string;
  url: URL;
  aws: ConsoleAws;
}

export type ConsoleResponse = { status: number; html: string } | { status: 303; location: string };

export class NotFound extends Error {
  override name = "NotFound";
}

export function executionArnOf(stateMachine: string, name: string): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:execution:${stateMachine}:${name}`;
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
};

export function flashOf(url: URL): { kind: "ok"; text: string } | undefined {
  const text = DONE_MESSAGES[url.searchParams.get("done") ?? ""];
  return text ? { kind: "ok", text } : undefined;
}
