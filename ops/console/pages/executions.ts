/**
 * Executions: a list by workflow (state machine) and status; one execution's facts, its timeline from
 * GetExecutionHistory, the raw history, and a Redrive button (RedriveExecution) when it failed.
 */
import { type ExecutionStatus, RedriveExecutionCommand } from "@aws-sdk/client-sfn";
import {
  describeExecution,
  EXECUTION_STATUSES,
  listExecutionsOf,
  listStateMachines,
  REDRIVABLE_STATUSES,
  tenantSlugOf,
} from "../../read/executions.js";
import { readHistory } from "../../read/history.js";
import { buildTimeline, type StateVisit, type TimelineItem } from "../../read/timeline.js";
import {
  type ConsoleRequest,
  type ConsoleResponse,
  executionArnNamed,
  executionHref,
  flashOf,
  MAX_EXECUTIONS_PER_MACHINE,
  NotFound,
} from "../context.js";
import { type Html, html } from "../html.js";
import { badge, duration, empty, type Flash, filterSelect, jsonBlock, page, when } from "../layout.js";

export async function executionList(req: ConsoleRequest): Promise<ConsoleResponse> {
  const machines = await listStateMachines(req.aws.sfn);
  const workflow = req.url.searchParams.get("workflow") ?? "";
  const statusParam = req.url.searchParams.get("status") ?? "";
  const status = EXECUTION_STATUSES.includes(statusParam as ExecutionStatus)
    ? (statusParam as ExecutionStatus)
    : undefined;
  const machine = machines.find((m) => m.name === workflow);
  const executions = await listExecutionsOf(req.aws.sfn, machine ? [machine] : machines, {
    max: MAX_EXECUTIONS_PER_MACHINE,
    ...(status ? { status } : {}),
  });

  const body = html`
<h1>Executions</h1>
<form class="filters" method="get" action="/console/executions">
  ${filterSelect(
    "Workflow",
    "workflow",
    "All state machines",
    machines.map((m) => m.name ?? ""),
    machine?.name,
  )}
  ${filterSelect("Status", "status", "Any status", EXECUTION_STATUSES, status)}
  <button type="submit">Filter</button>
</form>
<p class="muted">${executions.length} execution${executions.length === 1 ? "" : "s"}.</p>
<div class="table-wrap">${
    executions.length === 0
      ? empty("No executions match.")
      : html`<table>
  <thead><tr><th scope="col">Name</th><th scope="col">State machine</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col">Tenant</th></tr></thead>
  <tbody>${executions.map((e) => {
    const slug = tenantSlugOf(e.name);
    const took = e.stopDate && e.startDate ? e.stopDate.getTime() - e.startDate.getTime() : undefined;
    return html`<tr>
    <td class="nowrap"><a href="${executionHref(e.executionArn ?? "")}">${e.name}</a></td>
    <td>${e.stateMachineArn?.split(":").at(-1)}</td>
    <td>${badge(e.status)}${e.redriveCount ? html` <span class="muted">redriven ×${e.redriveCount}</span>` : ""}</td>
    <td>${when(e.startDate)}</td>
    <td>${e.status === "RUNNING" ? html`<span class="muted">running</span>` : duration(took)}</td>
    <td>${slug ? html`<a href="/console/tenants/${encodeURIComponent(slug)}">${slug}</a>` : html`<span class="muted">—</span>`}</td>
  </tr>`;
  })}</tbody></table>`
  }</div>`;
  return { status: 200, html: page({ title: "Executions", section: "executions", body }) };
}

export async function executionPage(
  req: ConsoleRequest,
  machine: string,
  name: string,
  flash?: Flash,
): Promise<ConsoleResponse> {
  const arn = await executionArnNamed(req, machine, name);
  const [exec, events] = await Promise.all([
    describeExecution(req.aws.sfn, arn),
    readHistory(req.aws.sfn, arn, { includeExecutionData: true }),
  ]);
  if (!exec) throw new NotFound(`Execution ${arn} does not exist`);
  const timeline = buildTimeline(events, exec.status);
  const slug = tenantSlugOf(name);
  const started = exec.startDate?.getTime();
  const took = exec.stopDate && started !== undefined ? exec.stopDate.getTime() - started : undefined;
  // DescribeExecution says whether AWS would accept a redrive; fall back to the status if it does not.
  const redrivable = exec.redriveStatus
    ? exec.redriveStatus === "REDRIVABLE"
    : REDRIVABLE_STATUSES.includes(exec.status ?? "");

  const body = html`
<p class="crumbs"><a href="/console/executions">Executions</a> / <a href="/console/executions?workflow=${encodeURIComponent(machine)}">${machine}</a> /</p>
<h1>${name} ${badge(exec.status)}</h1>
${
  redrivable
    ? html`<form class="actions" method="post" action="${executionHref(arn)}/redrive">
  <button type="submit" class="danger">Redrive</button>
  <span class="muted">Resumes from the state that failed; states that succeeded are not run again.</span>
</form>`
    : exec.status && REDRIVABLE_STATUSES.includes(exec.status) && exec.redriveStatusReason
      ? html`<p class="muted">Not redrivable: ${exec.redriveStatusReason}</p>`
      : ""
}
${exec.error || exec.cause ? html`<div class="failure" role="note"><strong>${exec.error ?? "Failed"}</strong><br>${exec.cause ?? ""}</div>` : ""}
<div class="grid2">
  <section class="card" aria-labelledby="facts-h">
    <h2 id="facts-h">Execution</h2>
    <dl class="facts">
      <dt>ARN</dt><dd class="mono">${arn}</dd>
      <dt>State machine</dt><dd>${machine}</dd>
      <dt>Tenant</dt><dd>${slug ? html`<a href="/console/tenants/${encodeURIComponent(slug)}">${slug}</a>` : "—"}</dd>
      <dt>Started</dt><dd>${when(exec.startDate)}</dd>
      <dt>Stopped</dt><dd>${when(exec.stopDate)}</dd>
      <dt>Duration</dt><dd>${exec.status === "RUNNING" ? "running" : duration(took)}</dd>
      <dt>Redrives</dt><dd>${exec.redriveCount ?? 0}${exec.redriveDate ? html` (last ${when(exec.redriveDate)})` : ""}</dd>
      ${exec.redriveStatus ? html`<dt>Redrive status</dt><dd>${exec.redriveStatus}</dd>` : ""}
    </dl>
  </section>
  <section class="card" aria-labelledby="data-h">
    <h2 id="data-h">Input and output</h2>
    ${jsonBlock("Input", exec.input, true)}
    ${jsonBlock("Output", exec.output)}
  </section>
</div>

<h2 id="timeline-h">Timeline</h2>
${timeline.length === 0 ? empty("No history events.") : html`<ol class="timeline" aria-labelledby="timeline-h">${timeline.map((item) => timelineItem(item, started))}</ol>`}

<h2>History events</h2>
<details class="json"><summary>${events.length} events from GetExecutionHistory</summary>
<div class="table-wrap"><table><thead><tr><th scope="col">Id</th><th scope="col">Previous</th><th scope="col">Type</th><th scope="col">Time</th><th scope="col">Details</th></tr></thead><tbody>
${events.map((e) => {
  const details = Object.entries(e).find(([k]) => k.endsWith("EventDetails"))?.[1];
  return html`<tr><td class="num">${e.id}</td><td class="num">${e.previousEventId}</td><td class="mono">${e.type}</td><td class="mono">+${duration(e.timestamp && started !== undefined ? e.timestamp.getTime() - started : undefined)}</td><td>${details ? html`<pre class="mono">${JSON.stringify(details, null, 1)}</pre>` : ""}</td></tr>`;
})}
</tbody></table></div></details>`;
  return {
    status: flash?.kind === "error" ? 409 : 200,
    html: page({
      title: name,
      section: "executions",
      body,
      flash: flash ?? flashOf(req.url),
      ...(exec.status === "RUNNING" || exec.status === "PENDING_REDRIVE" ? { refreshSeconds: 2 } : {}),
    }),
  };
}

export async function redriveExecution(
  req: ConsoleRequest,
  machine: string,
  name: string,
): Promise<ConsoleResponse> {
  const arn = await executionArnNamed(req, machine, name);
  try {
    await req.aws.sfn.send(new RedriveExecutionCommand({ executionArn: arn }));
  } catch (err) {
    const e = err as Error;
    return executionPage(req, machine, name, {
      kind: "error",
      text: `Redrive refused: ${e.name}: ${e.message}`,
    });
  }
  return { status: 303, location: `${executionHref(arn)}?done=redriven` };
}

function timelineItem(item: TimelineItem, started: number | undefined): Html {
  const offset = (d: Date) => (started === undefined ? "" : `+${duration(d.getTime() - started)}`);
  if (item.kind === "execution") {
    return html`<li class="milestone" data-event="${item.type}">
  <div class="tl-head"><span class="tl-name">${MILESTONE_LABELS[item.type] ?? item.type}</span><span class="tl-meta">${offset(item.at)} · ${when(item.at)}</span></div>
  ${item.error || item.cause ? html`<div class="failure">${item.error ? html`<strong>${item.error}</strong> ` : ""}${item.cause ?? ""}</div>` : ""}
  ${jsonBlock("Input", item.input)}${jsonBlock("Output", item.output)}
</li>`;
  }
  return stateItem(item, offset);
}

function stateItem(v: StateVisit, offset: (d: Date) => string): Html {
  const retries = Math.max(0, v.attempts.length - 1);
  return html`<li class="${v.status} depth-${Math.min(v.depth, 3)}" data-state="${v.name}" data-status="${v.status}">
  <div class="tl-head">
    <span class="tl-name">${v.name}</span>
    <span class="tl-meta">${v.stateType}</span>
    ${badge(v.status === "succeeded" ? "SUCCEEDED" : v.status === "failed" ? "FAILED" : "RUNNING")}
    ${retries > 0 ? html`<span class="badge warn">retried ×${retries}</span>` : ""}
    <span class="tl-meta">entered ${offset(v.enteredAt)}${v.durationMs !== undefined ? ` · took ${duration(v.durationMs)}` : ""}</span>
  </div>
  ${
    v.attempts.length > 1
      ? html`<ol class="attempts">${v.attempts.map(
          (a, i) =>
            html`<li class="${a.outcome === "succeeded" ? "" : a.outcome === "running" ? "" : "failed"}">Attempt ${i + 1}: ${a.outcome}${a.endedAt ? ` after ${duration(a.endedAt.getTime() - a.startedAt.getTime())}` : ""}${a.error ? html` — <strong>${a.error}</strong>` : ""}${a.cause ? `: ${shorten(a.cause)}` : ""}</li>`,
        )}</ol>`
      : ""
  }
  ${v.status === "failed" && (v.error || v.cause) ? html`<div class="failure"><strong>${v.error ?? "Failed"}</strong> ${v.cause ?? ""}</div>` : ""}
  ${jsonBlock("Input", v.input)}${jsonBlock("Output", v.output)}
</li>`;
}

function shorten(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

const MILESTONE_LABELS: Record<string, string> = {
  ExecutionStarted: "Execution started",
  ExecutionRedriven: "Execution redriven",
  ExecutionSucceeded: "Execution succeeded",
  ExecutionFailed: "Execution failed",
  ExecutionAborted: "Execution aborted",
  ExecutionTimedOut: "Execution timed out",
};
