/**
 * `npm run soak -- --tenants N --fault-rate R [--kill] [--concurrency C] [--keep]`: the soak (soak.ts). Prints
 * progress, then the faults per kind, every finding, and one summary line; exits 1 if anything was duplicated,
 * orphaned, stuck or lost, a secret leaked, or a failed tenant lacks a reason.
 */
import { parseArgs } from "node:util";
import { runSoak } from "./soak.js";

const { values } = parseArgs({
  options: {
    tenants: { type: "string", default: "300" },
    "fault-rate": { type: "string", default: "0.1" },
    kill: { type: "boolean", default: false },
    concurrency: { type: "string", default: "6" },
    keep: { type: "boolean", default: false },
  },
});
const tenants = Number(values.tenants);
const faultRate = Number(values["fault-rate"]);
if (!Number.isInteger(tenants) || tenants < 1) throw new Error("--tenants must be a positive integer");
if (!(faultRate >= 0 && faultRate <= 1)) throw new Error("--fault-rate must be between 0 and 1");
process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";

const result = await runSoak({
  tenants,
  faultRate,
  kill: values.kill,
  concurrency: Number(values.concurrency),
  keep: values.keep,
});
console.log(`faults by kind: ${JSON.stringify(result.faults)}`);
console.log(`retries: ${JSON.stringify(result.retries)}; final states: ${JSON.stringify(result.statuses)}`);
console.log(`secrets scan searched: ${JSON.stringify(result.secretsSearched)}`);
for (const d of result.appliedDeadLetters) console.log(`dead letter of an event applied all the same: ${d}`);
for (const f of result.failed) console.log(`failed: ${f.slug}: ${f.reason ?? "(no reason recorded)"}`);
for (const f of result.findings) console.log(`${f.kind}: ${f.what}`);
for (const h of result.secretHits) console.log(`secret: ${h.secret} in ${h.where}`);
console.log(result.line);
process.exit(result.ok ? 0 : 1);
