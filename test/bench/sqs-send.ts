/**
 * `npm run bench:sqs`: SendMessage throughput of the durable local SQS with group commit (the default: every
 * send waiting at the moment shares one fsync) and with one fsync per message, over HTTP with the real SDK
 * client through the edge. BENCH_SQS_MESSAGES (default 2000) per run; concurrency 1, 16 and 64. Prints numbers,
 * asserts nothing.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { CreateQueueCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { localClientConfig } from "../../local/aws/client-config.js";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "../../local/aws/constants.js";
import { startEdge } from "../../local/edge/server.js";
import { createSqsService } from "../../local/sqs/service.js";

const MESSAGES = Number(process.env.BENCH_SQS_MESSAGES ?? 2000);

async function run(groupCommit: boolean, concurrency: number) {
  const dir = await mkdtemp(join(tmpdir(), "bench-sqs-"));
  const edge = await startEdge({ port: 0 });
  const sqs = await createSqsService({
    dir,
    baseUrl: edge.url,
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT_ID,
    groupCommit,
  });
  edge.addHttpService(sqs);
  const client = new SQSClient(localClientConfig(edge.url));
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: "bench" }));
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < MESSAGES) {
        const i = next++;
        const t = performance.now();
        await client.send(new SendMessageCommand({ QueueUrl, MessageBody: `{"signup":${i}}` }));
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  client.destroy();
  await sqs.stop();
  await edge.stop();
  await rm(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return { perSecond: MESSAGES / seconds, p50: pct(0.5), p95: pct(0.95) };
}

console.log(`SendMessage, ${MESSAGES} messages per run, SDK over HTTP through the edge`);
console.log("mode                 concurrency   msgs/s   p50 ms   p95 ms");
for (const concurrency of [1, 16, 64]) {
  for (const groupCommit of [true, false]) {
    const r = await run(groupCommit, concurrency);
    console.log(
      `${(groupCommit ? "group commit" : "fsync per message").padEnd(20)} ${String(concurrency).padStart(11)} ${r.perSecond.toFixed(0).padStart(8)} ${r.p50.toFixed(1).padStart(8)} ${r.p95.toFixed(1).padStart(8)}`,
    );
  }
}
