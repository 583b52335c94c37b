/** Where a live object differs from the one Embark applies. */
import { describe, expect, it } from "vitest";
import { tenantObjects } from "../../../core/cluster/tenant-objects.js";
import { DEFAULT_PLANS } from "../../../core/plans/catalog.js";
import type { LiveObject } from "../../../core/ports.js";
import { describeDrift, driftOf } from "../../../core/reconcile/drift.js";

const plan = DEFAULT_PLANS.find((p) => p.id === "standard")!;
const objects = tenantObjects({ tenantId: "0b8f7c2e-5d1a-4c3b-9e6f-1a2b3c4d5e6f", slug: "acme", plan });
const byKind = (kind: string, name?: string) =>
  objects.find((o) => o.kind === kind && (!name || o.metadata.name === name))!;
/** The object as the API server returns it: its own metadata and labels added. */
const served = (o: (typeof objects)[number]): LiveObject =>
  structuredClone({
    ...o,
    metadata: {
      ...o.metadata,
      uid: "u1",
      resourceVersion: "7",
      labels: { ...o.metadata.labels, "kubernetes.io/metadata.name": o.metadata.name },
    },
    status: {},
  }) as LiveObject;

describe("driftOf", () => {
  it("finds nothing in an object as Embark applied it, whatever the server added around it", () => {
    for (const o of objects) expect(driftOf(o, served(o)), `${o.kind} ${o.metadata.name}`).toEqual([]);
  });

  it("compares quantities by value", () => {
    const live = served(byKind("ResourceQuota"));
    (live.spec as { hard: Record<string, string> }).hard["requests.memory"] = "8192Mi";
    expect(driftOf(byKind("ResourceQuota"), live)).toEqual([]);
    (live.spec as { hard: Record<string, string> }).hard["requests.memory"] = "8193Mi";
    expect(driftOf(byKind("ResourceQuota"), live)).toEqual([
      { path: "spec.hard.requests.memory", want: "8Gi", have: "8193Mi" },
    ]);
  });

  it("counts a selector narrowed by hand and an extra rule in an owned list", () => {
    const deny = served(byKind("NetworkPolicy", "default-deny-all"));
    (deny.spec as { podSelector: object }).podSelector = { matchLabels: { app: "db" } };
    expect(describeDrift(driftOf(byKind("NetworkPolicy", "default-deny-all"), deny))).toBe(
      'spec.podSelector.matchLabels was added ({"app":"db"})',
    );
    const same = served(byKind("NetworkPolicy", "allow-same-namespace"));
    (same.spec as { egress: unknown[] }).egress.push({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] });
    expect(driftOf(byKind("NetworkPolicy", "allow-same-namespace"), same).map((d) => d.path)).toEqual([
      "spec.egress",
    ]);
  });

  it("names a changed or removed label Embark sets, and ignores labels others add", () => {
    const ns = served(byKind("Namespace"));
    ns.metadata.labels!["pod-security.kubernetes.io/enforce"] = "privileged";
    delete ns.metadata.labels!["embark.io/plan"];
    ns.metadata.labels!.team = "x";
    expect(describeDrift(driftOf(byKind("Namespace"), ns))).toBe(
      'metadata.labels["embark.io/plan"] is missing; ' +
        'metadata.labels["pod-security.kubernetes.io/enforce"] is "privileged", Embark sets "restricted"',
    );
  });

  it("says how many more there are beyond the first three", () => {
    const role = served(byKind("Role"));
    role.rules = [];
    const quota = served(byKind("ResourceQuota"));
    (quota.spec as { hard: Record<string, string> }).hard = {};
    const drift = [...driftOf(byKind("Role"), role), ...driftOf(byKind("ResourceQuota"), quota)];
    expect(drift.length).toBeGreaterThan(3);
    expect(describeDrift(drift)).toMatch(new RegExp(`\\(and ${drift.length - 3} more\\)$`));
  });
});
