/** Status truth as a contract: every status has its invariant, every check its implementation, and design §2 mirrors the table. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKERS } from "../../../core/reconcile/checks.js";
import { CHECK_IDS, CHECKS, INVARIANTS } from "../../../core/reconcile/invariants.js";
import { TENANT_STATUSES } from "../../../core/tenant/status.js";

const design = readFileSync(join(import.meta.dirname, "../../../docs/design.md"), "utf8");
const section = design.slice(design.indexOf("### Status truth (contract)"), design.indexOf("## §3"));

/** The design table's row for a status: the check ids in its "must exist" and "must not exist" cells. */
function documented(status: string): { must: string[]; mustNot: string[] } {
  const row = section.split("\n").find((line) => line.startsWith(`| \`${status}\` |`));
  if (!row) throw new Error(`design §2 has no row for ${status}`);
  const [, , must, mustNot] = row.split("|").map((c) => c.trim());
  const ids = (cell = "") => [...cell.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]!);
  return { must: ids(must), mustNot: ids(mustNot) };
}

describe("status invariants", () => {
  it("every status has an invariant with at least one check, and every check is used", () => {
    expect(Object.keys(INVARIANTS).sort()).toEqual([...TENANT_STATUSES].sort());
    for (const status of TENANT_STATUSES) {
      expect(INVARIANTS[status].checks.length, status).toBeGreaterThan(0);
      expect(INVARIANTS[status].means.length, status).toBeGreaterThan(0);
    }
    const used = new Set(TENANT_STATUSES.flatMap((s) => INVARIANTS[s].checks));
    expect([...used].sort()).toEqual([...CHECK_IDS].sort());
  });

  it("every check has exactly one implementation", () => {
    expect(Object.keys(CHECKERS).sort()).toEqual([...CHECK_IDS].sort());
    for (const id of CHECK_IDS) expect(typeof CHECKERS[id], id).toBe("function");
  });

  it.each(TENANT_STATUSES)("design §2 lists exactly the %s checks, must and must-not apart", (status) => {
    const checks = INVARIANTS[status].checks;
    expect(documented(status)).toEqual({
      must: checks.filter((c) => CHECKS[c].kind === "must"),
      mustNot: checks.filter((c) => CHECKS[c].kind === "mustNot"),
    });
  });

  it("design §2 says what every check asks for", () => {
    for (const id of CHECK_IDS) expect(section, id).toMatch(new RegExp(`^- (\`[a-z-]+\`, )*\`${id}\``, "m"));
  });
});
