/**
 * Queues: the depth of every queue and DLQ (GetQueueAttributes); a queue page that peeks at its messages and,
 * for a DLQ, moves them back to their source queue (StartMessageMoveTask, SQS's own DLQ redrive).
 */
import { type Message, StartMessageMoveTaskCommand } from "@aws-sdk/client-sqs";
import { REJECTION_ATTRIBUTES } from "../../../core/adapters/queues.js";
import { moveTasks, peekMessages, type QueueInfo, readQueueNamed, readQueues } from "../../read/queues.js";
import { type ConsoleRequest, type ConsoleResponse, flashOf, NotFound } from "../context.js";
import { type Html, html } from "../html.js";
import { empty, type Flash, jsonBlock, page, when } from "../layout.js";

export async function queueList(req: ConsoleRequest): Promise<ConsoleResponse> {
  const queues = await readQueues(req.aws.sqs);
  const body = html`
<h1>Queues</h1>
<p class="muted">Depths are SQS's approximate counts (GetQueueAttributes). A dead-letter queue holds messages its source queue's consumer failed to process too many times.</p>
<div class="table-wrap">${
    queues.length === 0
      ? empty("No queues.")
      : html`<table>
  <thead><tr><th scope="col">Queue</th><th scope="col">Kind</th><th scope="col" class="num">Available</th><th scope="col" class="num">In flight</th><th scope="col" class="num">Delayed</th><th scope="col">Dead-letter queue / sources</th></tr></thead>
  <tbody>${queues.map((q) => {
    const isDlq = q.sourceQueues.length > 0;
    return html`<tr data-queue="${q.name}">
    <td class="nowrap"><a href="/console/queues/${encodeURIComponent(q.name)}">${q.name}</a></td>
    <td>${isDlq ? html`<span class="badge ${q.visible > 0 ? "bad" : "neutral"}">DLQ</span>` : html`<span class="badge neutral">queue</span>`}</td>
    <td class="num">${q.visible}</td><td class="num">${q.inFlight}</td><td class="num">${q.delayed}</td>
    <td>${
      q.deadLetterQueue
        ? html`→ <a href="/console/queues/${encodeURIComponent(q.deadLetterQueue.name)}">${q.deadLetterQueue.name}</a> <span class="muted">after ${q.deadLetterQueue.maxReceiveCount} receives</span>`
        : isDlq
          ? html`<span class="muted">for</span> ${q.sourceQueues.map((s, i) => html`${i ? ", " : ""}<a href="/console/queues/${encodeURIComponent(s)}">${s}</a>`)}`
          : html`<span class="muted">—</span>`
    }</td>
  </tr>`;
  })}</tbody></table>`
  }</div>`;
  return { status: 200, html: page({ title: "Queues", section: "queues", body }) };
}

export async function queuePage(req: ConsoleRequest, name: string, flash?: Flash): Promise<ConsoleResponse> {
  const q = await queueNamed(req, name);
  const isDlq = q.sourceQueues.length > 0;
  const [messages, tasks] = await Promise.all([
    peekMessages(req.aws.sqs, q.url),
    isDlq ? moveTasks(req.aws.sqs, q.arn) : Promise.resolve([]),
  ]);
  const moving = tasks.some((t) => t.Status === "RUNNING");

  const body = html`
<p class="crumbs"><a href="/console/queues">Queues</a> /</p>
<h1>${q.name} ${isDlq ? html`<span class="badge ${q.visible > 0 ? "bad" : "neutral"}">DLQ</span>` : ""}</h1>
${
  isDlq
    ? html`<form class="actions" method="post" action="/console/queues/${encodeURIComponent(q.name)}/redrive">
  <button type="submit" class="danger"${q.visible === 0 || moving ? html` disabled` : ""}>Redrive to source queue</button>
  <span class="muted">${moving ? "A redrive is in progress." : q.visible === 0 ? "Nothing to redrive." : `Moves ${q.visible === 1 ? "1 message" : `${q.visible} messages`} back to ${q.sourceQueues.join(", ")}, where its consumer receives ${q.visible === 1 ? "it" : "them"} again.`}</span>
</form>`
    : ""
}
<div class="grid2">
  <section class="card" aria-labelledby="q-facts">
    <h2 id="q-facts">Queue</h2>
    <dl class="facts">
      <dt>URL</dt><dd class="mono">${q.url}</dd>
      <dt>ARN</dt><dd class="mono">${q.arn}</dd>
      <dt>Available</dt><dd>${q.visible}</dd>
      <dt>In flight</dt><dd>${q.inFlight}</dd>
      <dt>Delayed</dt><dd>${q.delayed}</dd>
      <dt>Visibility timeout</dt><dd>${q.attributes.VisibilityTimeout ?? "—"} s</dd>
      ${q.deadLetterQueue ? html`<dt>Dead-letter queue</dt><dd><a href="/console/queues/${encodeURIComponent(q.deadLetterQueue.name)}">${q.deadLetterQueue.name}</a> after ${q.deadLetterQueue.maxReceiveCount} receives</dd>` : ""}
      ${isDlq ? html`<dt>Source queues</dt><dd>${q.sourceQueues.map((s, i) => html`${i ? ", " : ""}<a href="/console/queues/${encodeURIComponent(s)}">${s}</a>`)}</dd>` : ""}
    </dl>
  </section>
  ${
    isDlq
      ? html`<section class="card" aria-labelledby="q-tasks">
    <h2 id="q-tasks">Redrives (message move tasks)</h2>
    ${
      tasks.length === 0
        ? empty("None yet.")
        : html`<dl class="facts">${tasks.map(
            (t) =>
              html`<dt>${when(t.StartedTimestamp ? new Date(t.StartedTimestamp) : undefined)}</dt><dd>${t.Status} · ${t.ApproximateNumberOfMessagesMoved ?? 0} of ${t.ApproximateNumberOfMessagesToMove ?? "?"} moved${t.FailureReason ? ` · ${t.FailureReason}` : ""}</dd>`,
          )}</dl>`
    }
  </section>`
      : ""
  }
</div>
<h2>Messages</h2>
<p class="muted">Peeked with a visibility timeout of 0, so they stay available (each look counts as a receive, as in the AWS console).</p>
<div class="table-wrap">${messages.length === 0 ? empty("No messages available.") : messageTable(messages)}</div>`;
  return {
    status: flash?.kind === "error" ? 409 : 200,
    html: page({
      title: q.name,
      section: "queues",
      body,
      flash: flash ?? flashOf(req.url),
      ...(moving ? { refreshSeconds: 2 } : {}),
    }),
  };
}

/**
 * Moves a DLQ's messages back with SQS's own DLQ redrive. Without a destination SQS returns each message to
 * the queue it was dead-lettered from, and fails with CouldNotDetermineMessageSource for messages that were
 * sent to the DLQ directly; naming the destination (the DLQ's only source queue) moves those too.
 */
export async function redriveQueue(req: ConsoleRequest, name: string): Promise<ConsoleResponse> {
  try {
    const q = await queueNamed(req, name);
    const only = q.sourceQueues.length === 1 ? await queueNamed(req, q.sourceQueues[0]!) : undefined;
    await req.aws.sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: q.arn,
        ...(only ? { DestinationArn: only.arn } : {}),
      }),
    );
  } catch (err) {
    const e = err as Error;
    return queuePage(req, name, { kind: "error", text: `Redrive refused: ${e.name}: ${e.message}` });
  }
  return { status: 303, location: `/console/queues/${encodeURIComponent(name)}?done=dlq-redrive` };
}

async function queueNamed(req: ConsoleRequest, name: string): Promise<QueueInfo> {
  const q = await readQueueNamed(req.aws.sqs, name);
  if (!q) throw new NotFound(`No queue named "${name}"`);
  return q;
}

function messageTable(messages: Message[]): Html {
  return html`<table>
<thead><tr><th scope="col">Message</th><th scope="col">Sent</th><th scope="col" class="num">Receives</th><th scope="col">Body</th></tr></thead>
<tbody>${messages.map((m) => {
    const sent = Number(m.Attributes?.SentTimestamp);
    // A message its consumer refused carries the reason (core/adapters/queues.ts, SqsDeadLetters).
    const reason = m.MessageAttributes?.[REJECTION_ATTRIBUTES.reason]?.StringValue;
    const by = m.MessageAttributes?.[REJECTION_ATTRIBUTES.by]?.StringValue;
    return html`<tr><td class="mono">${m.MessageId}</td><td>${when(Number.isFinite(sent) ? new Date(sent) : undefined)}</td><td class="num">${m.Attributes?.ApproximateReceiveCount ?? "—"}</td><td>${reason ? html`<p><span class="badge bad">refused</span> by ${by ?? "its consumer"}: ${reason}</p>` : ""}${jsonBlock("Body", m.Body, true)}</td></tr>`;
  })}</tbody></table>`;
}
