/**
 * The short soak inside npm test: a few tenants under a 5% fault plan (every operation's first call and every
 * step function's first Task still lose their answer), billing events shuffled and duplicated, on a local cloud
 * of its own (a child process); then the audit through the public APIs and the secrets scan. The long one is
 * `npm run soak` (docs/benchmarks.md).
 */
import { describe, expect, it } from "vitest";
import { runSoak } from "../soak/soak.js";

describe("soak (short)", () => {
  it("survives the faults: nothing duplicated, orphaned, stuck or lost, no secret anywhere", async () => {
    const lines: string[] = [];
    const result = await runSoak({ tenants: 6, faultRate: 0.05, kill: false, log: (l) => lines.push(l) });
    const report = [
      ...result.findings.map((f) => `${f.kind}: ${f.what}`),
      ...result.secretHits.map((h) => `secret: ${h.secret} in ${h.where}`),
      ...result.failed.map((f) => `failed: ${f.slug}: ${f.reason ?? "(no reason)"}`),
      result.line,
    ].join("\n");
    console.log(report);
    expect(result.faults.total).toBeGreaterThan(0);
    expect(result.faults.lostResponse).toBeGreaterThan(0);
    expect(result.faults.crashAfterEffect).toBeGreaterThan(0);
    expect(result.findings, report).toEqual([]);
    expect(result.secretHits, report).toEqual([]);
    expect(
      result.failed.every((f) => f.reason),
      report,
    ).toBe(true);
  }, 600_000);
});
