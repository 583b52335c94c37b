/**
 * Where a live Kubernetes object differs from the one Embark applies (core/cluster/tenant-objects.ts). Embark
 * owns every top-level field it sets (spec, rules, roleRef, subjects, …): those must be equal, extra keys
 * included, so a selector narrowed by hand or an extra egress rule counts. Labels are Embark's only where it
 * sets them (the API server and others may add their own). Quantities compare by value ("1Gi" = "1024Mi"), as
 * the API server normalises them.
 */
import type { KubeObject } from "../cluster/tenant-objects.js";
import { isQuantity, parseQuantity } from "../plans/quantity.js";
import type { LiveObject } from "../ports.js";

export interface FieldDrift {
  path: string;
  want: unknown;
  have: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function driftOf(desired: KubeObject, live: LiveObject): FieldDrift[] {
  const out: FieldDrift[] = [];
  const labels = live.metadata.labels ?? {};
  for (const [k, v] of Object.entries(desired.metadata.labels)) {
    if (labels[k] !== v) out.push({ path: `metadata.labels["${k}"]`, want: v, have: labels[k] });
  }
  const { apiVersion: _a, kind: _k, metadata: _m, ...fields } = desired;
  for (const [k, v] of Object.entries(fields)) compare(v, live[k], k, out);
  return out;
}

function compare(want: unknown, have: unknown, path: string, out: FieldDrift[]): void {
  if (isRecord(want)) {
    if (!isRecord(have)) {
      out.push({ path, want, have });
      return;
    }
    for (const k of new Set([...Object.keys(want), ...Object.keys(have)])) {
      compare(want[k], have[k], `${path}.${k}`, out);
    }
    return;
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(have) || have.length !== want.length) {
      out.push({ path, want, have });
      return;
    }
    for (const [i, w] of want.entries()) compare(w, have[i], `${path}[${i}]`, out);
    return;
  }
  if (!sameScalar(want, have)) out.push({ path, want, have });
}

function sameScalar(want: unknown, have: unknown): boolean {
  if (want === have) return true;
  if (typeof want === "string" && typeof have === "string" && isQuantity(want) && isQuantity(have)) {
    return parseQuantity(want) === parseQuantity(have);
  }
  return false;
}

/** "spec.hard.pods is \"100\", Embark sets \"20\"" (a few at most, for a person). */
export function describeDrift(drift: readonly FieldDrift[], max = 3): string {
  const shown = drift
    .slice(0, max)
    .map((d) =>
      d.have === undefined
        ? `${d.path} is missing`
        : d.want === undefined
          ? `${d.path} was added (${JSON.stringify(d.have)})`
          : `${d.path} is ${JSON.stringify(d.have)}, Embark sets ${JSON.stringify(d.want)}`,
    );
  const more = drift.length > max ? ` (and ${drift.length - max} more)` : "";
  return shown.join("; ") + more;
}
