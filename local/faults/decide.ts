/**
 * Draws the faults of one call or delivery from the current plan, and counts every fault it injects, per kind
 * and per operation, so a run can report what it survived (`GET /_embark/faults`).
 */
import { type FaultKind, type FaultPlan, matches, NO_FAULTS } from "./plan.js";

export interface CallFault {
  kind: FaultKind | "none";
  /** Added before the call is served (or failed). */
  latencyMs: number;
}

export const DELIVERY_KINDS = [
  "sqsDuplicate",
  "eventsDuplicate",
  "taskDuplicate",
  "crashAfterEffect",
] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

export interface FaultCounts {
  /** Every fault injected since the counters were reset, by kind (`latency` counts delayed calls). */
  total: number;
  byKind: Record<FaultKind | DeliveryKind | "latency", number>;
  /** `<kind> <service>:<operation>` (or `<kind> <function>` for deliveries) → count. */
  byOperation: Record<string, number>;
  /** Calls and deliveries the plan was consulted for. */
  decisions: number;
}

/** mulberry32: a small seeded PRNG, so a plan with a seed draws the same sequence. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private plan: FaultPlan = NO_FAULTS;
  private random: () => number = Math.random;
  private readonly counts = new Map<string, number>();
  private readonly kinds = new Map<string, number>();
  private decisions = 0;
  /** Operations (per rule) and functions that already had their guaranteed fault. */
  private readonly firsts = new Set<string>();

  setPlan(plan: FaultPlan): void {
    this.plan = plan;
    this.random = plan.seed === undefined ? Math.random : seeded(plan.seed);
    this.firsts.clear();
  }

  currentPlan(): FaultPlan {
    return this.plan;
  }

  /** Whether any fault can happen (so hot paths skip the work when none can). */
  get active(): boolean {
    const d = this.plan.delivery;
    return (
      this.plan.rules.length > 0 ||
      d.sqsDuplicate > 0 ||
      d.eventsDuplicate > 0 ||
      d.taskDuplicate > 0 ||
      d.crashAfterEffect > 0 ||
      d.crashAfterEffectFirst
    );
  }

  /** The fault of one request to `service:operation` (counted). */
  decide(service: string, operation: string): CallFault {
    const index = this.plan.rules.findIndex((r) => matches(r.match, service, operation));
    if (index < 0) return { kind: "none", latencyMs: 0 };
    this.decisions++;
    const rule = this.plan.rules[index]!;
    const op = `${service}:${operation}`;
    let latencyMs = 0;
    if (rule.latency && this.random() < rule.latency.probability) {
      latencyMs = Math.round(rule.latency.minMs + this.random() * (rule.latency.maxMs - rule.latency.minMs));
      this.count("latency", op);
    }
    let kind: CallFault["kind"] = "none";
    const first = `${index} ${op}`;
    if (rule.lostResponseFirst && !this.firsts.has(first)) {
      this.firsts.add(first);
      kind = "lostResponse";
    } else {
      let draw = this.random();
      for (const k of ["throttle", "serverError", "drop", "lostResponse"] as const) {
        if (draw < rule[k]) {
          kind = k;
          break;
        }
        draw -= rule[k];
      }
    }
    if (kind !== "none") this.count(kind, op);
    return { kind, latencyMs };
  }

  /**
   * Whether this delivery gets the fault `kind` (counted). `subject` names what is delivered to (a function, a
   * queue, a rule target) for the counts and for the guaranteed first crash per function.
   */
  delivery(kind: DeliveryKind, subject: string): boolean {
    if (!this.active) return false;
    this.decisions++;
    const d = this.plan.delivery;
    let hit = this.random() < d[kind];
    if (kind === "crashAfterEffect" && d.crashAfterEffectFirst && !this.firsts.has(`crash ${subject}`)) {
      this.firsts.add(`crash ${subject}`);
      hit = true;
    }
    if (hit) this.count(kind, subject);
    return hit;
  }

  private count(kind: string, subject: string): void {
    this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1);
    const key = `${kind} ${subject}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  snapshot(): FaultCounts {
    const byKind = Object.fromEntries(
      [...DELIVERY_KINDS, "throttle", "serverError", "drop", "lostResponse", "latency"].map((k) => [
        k,
        this.kinds.get(k) ?? 0,
      ]),
    ) as FaultCounts["byKind"];
    return {
      total: [...this.kinds.entries()].filter(([k]) => k !== "latency").reduce((a, [, n]) => a + n, 0),
      byKind,
      byOperation: Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b))),
      decisions: this.decisions,
    };
  }

  resetCounts(): void {
    this.counts.clear();
    this.kinds.clear();
    this.decisions = 0;
  }
}
