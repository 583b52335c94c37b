import { describe, expect, it } from "vitest";
import { renderTemplate } from "../../../core/mail/render.js";
import {
  DEFAULT_PLANS,
  EMAIL_KINDS,
  EMAIL_PLACEHOLDERS,
  findPlanByPriceId,
  type Plan,
  PlanId,
  parsePlan,
  parseQuantity,
  planFieldSetter,
} from "../../../core/plans/catalog.js";
import { InvalidPlanError, PlanFieldError } from "../../../core/plans/errors.js";

const byId = (id: string): Plan => {
  const plan = DEFAULT_PLANS.find((p) => p.id === id);
  if (!plan) throw new Error(`no plan ${id}`);
  return plan;
};

describe("default plans", () => {
  it("ship free, standard and enterprise, all valid", () => {
    expect(DEFAULT_PLANS.map((p) => p.id)).toEqual(["free", "standard", "enterprise"]);
    for (const p of DEFAULT_PLANS) expect(parsePlan(structuredClone(p))).toEqual(p);
  });

  it("have the tiers' sizes and dedicated flags", () => {
    expect(byId("free")).toMatchObject({
      dedicatedResources: false,
      quota: { "requests.cpu": "1", "requests.memory": "2Gi", pods: "10" },
    });
    expect(byId("standard")).toMatchObject({
      dedicatedResources: false,
      quota: { "requests.cpu": "4", "requests.memory": "8Gi", pods: "50" },
    });
    expect(byId("enterprise")).toMatchObject({
      dedicatedResources: true,
      quota: { "requests.cpu": "16", "requests.memory": "64Gi", pods: "200" },
    });
    const prices = DEFAULT_PLANS.map((p) => p.monthlyPriceUsd);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
  });

  it("every plan's emails render with the documented variables", () => {
    for (const plan of DEFAULT_PLANS) {
      for (const kind of EMAIL_KINDS) {
        const vars = Object.fromEntries(EMAIL_PLACEHOLDERS[kind].map((n) => [n, `<${n}>`]));
        const out = renderTemplate(plan.emails[kind], vars);
        expect(out.text).not.toContain("{{");
        expect(out.html).toContain("&lt;companyName&gt;");
        expect(out.subject.length).toBeGreaterThan(5);
      }
    }
  });

  it("price ids are unique across plans and map back to their plan", () => {
    const all = DEFAULT_PLANS.flatMap((p) => p.billingPriceIds);
    expect(new Set(all).size).toBe(all.length);
    expect(findPlanByPriceId(DEFAULT_PLANS, "price_standard_monthly")?.id).toBe("standard");
    expect(findPlanByPriceId(DEFAULT_PLANS, "price_unknown")).toBeUndefined();
  });
});

describe("parsePlan", () => {
  const free = byId("free");

  it("accepts operator-defined slug-like ids", () => {
    expect(parsePlan({ ...free, id: "startup-2027" }).id).toBe("startup-2027");
    expect(PlanId.safeParse("Gold Plan").success).toBe(false);
    expect(PlanId.safeParse("-x").success).toBe(false);
    expect(PlanId.safeParse("x".repeat(41)).success).toBe(false);
  });

  it("rejects bad quantities and counts with the path", () => {
    expect(() => parsePlan({ ...free, quota: { ...free.quota, "requests.cpu": "lots" } })).toThrow(
      'quota.requests.cpu: "lots" is not a Kubernetes quantity',
    );
    expect(() => parsePlan({ ...free, quota: { ...free.quota, pods: "1.5" } })).toThrow(InvalidPlanError);
    expect(() => parsePlan({ ...free, quota: { ...free.quota, extra: "1" } })).toThrow(/extra/);
  });

  it("rejects a LimitRange the API server would refuse", () => {
    const limits = { ...free.limits, default: { cpu: "4", memory: "512Mi" } }; // max cpu is 1
    expect(() => parsePlan({ ...free, limits })).toThrow("limits.default.cpu (4) exceeds limits.max.cpu (1)");
    const req = { ...free.limits, defaultRequest: { cpu: "100m", memory: "1Gi" } }; // default memory 512Mi
    expect(() => parsePlan({ ...free, limits: req })).toThrow(/defaultRequest.memory \(1Gi\) exceeds/);
  });

  it("rejects templates with unknown or malformed placeholders", () => {
    const welcome = { ...free.emails.welcome, text: "Hi {{compnyName}}" };
    expect(() => parsePlan({ ...free, emails: { ...free.emails, welcome } })).toThrow(
      /emails.welcome uses unknown placeholder \{\{compnyName\}\}/,
    );
    // graceDays exists for the suspended email only.
    const welcome2 = { ...free.emails.welcome, text: "{{graceDays}}" };
    expect(() => parsePlan({ ...free, emails: { ...free.emails, welcome: welcome2 } })).toThrow(/graceDays/);
    const broken = { ...free.emails.farewell, html: "{{ oops" };
    expect(() => parsePlan({ ...free, emails: { ...free.emails, farewell: broken } })).toThrow(/Malformed/);
    const twoLines = { ...free.emails.welcome, subject: "a\nb" };
    expect(() => parsePlan({ ...free, emails: { ...free.emails, welcome: twoLines } })).toThrow(/one line/);
  });

  it("strips unknown top-level attributes such as table keys", () => {
    expect(parsePlan({ ...free, pk: "PLAN#free" })).not.toHaveProperty("pk");
  });
});

describe("planFieldSetter", () => {
  const free = byId("free");

  it("sets quota values whose keys contain dots", () => {
    const p = planFieldSetter(free, "quota.pods", "20");
    expect(p.quota.pods).toBe("20");
    expect(planFieldSetter(free, "quota.requests.cpu", "1500m").quota["requests.cpu"]).toBe("1500m");
    expect(free.quota.pods).toBe("10"); // input untouched
  });

  it("coerces numbers and booleans", () => {
    expect(planFieldSetter(free, "monthlyPriceUsd", "49").monthlyPriceUsd).toBe(49);
    expect(planFieldSetter(free, "monthlyPriceUsd", "9.99").monthlyPriceUsd).toBe(9.99);
    expect(planFieldSetter(free, "dedicatedResources", "true").dedicatedResources).toBe(true);
    expect(planFieldSetter(free, "dedicatedResources", "FALSE").dedicatedResources).toBe(false);
    expect(planFieldSetter(free, "suspendGraceDays", "10").suspendGraceDays).toBe(10);
  });

  it("sets strings, arrays and templates", () => {
    expect(planFieldSetter(free, "limits.max.memory", "4Gi").limits.max.memory).toBe("4Gi");
    expect(planFieldSetter(free, "features", '["One","Two, with a comma"]').features).toEqual([
      "One",
      "Two, with a comma",
    ]);
    const p = planFieldSetter(free, "emails.welcome.subject", "Hello {{companyName}}");
    expect(p.emails.welcome.subject).toBe("Hello {{companyName}}");
  });

  it("refuses unknown paths, listing what exists", () => {
    expect(() => planFieldSetter(free, "quota.gpus", "1")).toThrow(PlanFieldError);
    expect(() => planFieldSetter(free, "quota.gpus", "1")).toThrow(/known fields here: .*quota.requests.cpu/);
    expect(() => planFieldSetter(free, "nope", "1")).toThrow('Unknown plan field "nope"');
    expect(() => planFieldSetter(free, "quota.pods.extra", "1")).toThrow(/Unknown plan field/);
    expect(() => planFieldSetter(free, "constructor", "1")).toThrow(/Unknown plan field/);
    expect(() => planFieldSetter(free, "", "1")).toThrow(/Unknown plan field/);
    expect(() => planFieldSetter(free, "quota", "1")).toThrow(
      /quota is a group of fields; set one of: quota.requests.cpu/,
    );
    expect(() => planFieldSetter(free, "id", "gold")).toThrow(/cannot be changed/);
  });

  it("refuses values of the wrong type or that fail validation", () => {
    expect(() => planFieldSetter(free, "monthlyPriceUsd", "abc")).toThrow(
      'monthlyPriceUsd expects a number, got "abc"',
    );
    expect(() => planFieldSetter(free, "monthlyPriceUsd", "")).toThrow(/expects a number/);
    expect(() => planFieldSetter(free, "monthlyPriceUsd", "-1")).toThrow(/Invalid value for monthlyPriceUsd/);
    expect(() => planFieldSetter(free, "dedicatedResources", "yes")).toThrow(/expects true or false/);
    expect(() => planFieldSetter(free, "suspendGraceDays", "1.5")).toThrow(
      /Invalid value for suspendGraceDays/,
    );
    expect(() => planFieldSetter(free, "quota.pods", "many")).toThrow(
      /Invalid value for quota.pods: .*whole number/,
    );
    expect(() => planFieldSetter(free, "features", "a,b")).toThrow(/JSON array of strings/);
    expect(() => planFieldSetter(free, "features", "[1,2]")).toThrow(/JSON array of strings/);
    expect(() => planFieldSetter(free, "limits.default.cpu", "2")).toThrow(/exceeds limits.max.cpu/);
    expect(() => planFieldSetter(free, "emails.welcome.text", "{{nope}}")).toThrow(/unknown placeholder/);
  });
});

describe("parseQuantity", () => {
  it.each([
    ["500m", 0.5],
    ["2", 2],
    ["2Gi", 2 * 1024 ** 3],
    ["512Mi", 512 * 1024 ** 2],
    ["1k", 1000],
    ["1.5", 1.5],
    ["1e3", 1000],
    ["1E", 1e18],
  ])("%s = %d", (q, n) => {
    expect(parseQuantity(q)).toBe(n);
  });
  it("refuses non-quantities", () => {
    for (const q of ["", "abc", "1GB", "-1", "1 Gi", "Gi"]) expect(() => parseQuantity(q), q).toThrow();
  });
});
