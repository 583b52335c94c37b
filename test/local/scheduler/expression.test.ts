/** EventBridge Scheduler expressions: what parses, what does not, and when each fires next. */
import { describe, expect, it } from "vitest";
import { nextOccurrence, parseExpression } from "../../../local/scheduler/expression.js";

const at = (iso: string) => Date.parse(iso);
const next = (expression: string, from: string, timeZone = "UTC", anchor = from) => {
  const t = nextOccurrence(parseExpression(expression), { from: at(from), anchor: at(anchor), timeZone });
  return t === undefined ? undefined : new Date(t).toISOString();
};

describe("rate", () => {
  it("fires at the anchor, then every period after it", () => {
    expect(next("rate(5 minutes)", "2026-12-01T10:00:00Z")).toBe("2026-12-01T10:00:00.000Z");
    expect(next("rate(5 minutes)", "2026-12-01T10:00:01Z", "UTC", "2026-12-01T10:00:00Z")).toBe(
      "2026-12-01T10:05:00.000Z",
    );
    expect(next("rate(1 hour)", "2026-12-01T12:30:00Z", "UTC", "2026-12-01T10:10:00Z")).toBe(
      "2026-12-01T13:10:00.000Z",
    );
    expect(next("rate(2 days)", "2026-12-02T00:00:00Z", "UTC", "2026-12-01T00:00:00Z")).toBe(
      "2026-12-03T00:00:00.000Z",
    );
  });
});

describe("cron", () => {
  it("reads AWS's six fields: minutes hours day-of-month month day-of-week year", () => {
    expect(next("cron(0 8 * * ? *)", "2026-12-01T09:00:00Z")).toBe("2026-12-02T08:00:00.000Z");
    expect(next("cron(*/15 * * * ? *)", "2026-12-01T09:01:00Z")).toBe("2026-12-01T09:15:00.000Z");
    expect(next("cron(0 12 ? * MON-FRI *)", "2026-12-05T00:00:00Z")).toBe("2026-12-07T12:00:00.000Z"); // Sat → Mon
    expect(next("cron(30 6 1 JAN,JUL ? 2027)", "2026-12-01T00:00:00Z")).toBe("2027-01-01T06:30:00.000Z");
    expect(next("cron(0 0 1 1 ? 2020)", "2026-12-01T00:00:00Z")).toBeUndefined();
  });

  it("L, W and # as AWS defines them", () => {
    expect(next("cron(0 0 L * ? *)", "2027-02-03T00:00:00Z")).toBe("2027-02-28T00:00:00.000Z");
    // The 1st of August 2026 is a Saturday: the nearest weekday in the month is Monday the 3rd.
    expect(next("cron(0 9 1W * ? *)", "2026-07-31T00:00:00Z")).toBe("2026-08-03T09:00:00.000Z");
    expect(next("cron(0 9 ? * 2#1 *)", "2026-12-02T00:00:00Z")).toBe("2026-12-07T09:00:00.000Z"); // 1st Monday (the 1st is a Tuesday)
    expect(next("cron(0 9 ? * 6L *)", "2026-12-01T00:00:00Z")).toBe("2026-12-25T09:00:00.000Z"); // last Friday
  });

  it("in the schedule's time zone, across a daylight-saving change", () => {
    expect(next("cron(0 9 * * ? *)", "2026-12-01T00:00:00Z", "Europe/Berlin")).toBe(
      "2026-12-01T08:00:00.000Z",
    );
    expect(next("cron(0 9 * * ? *)", "2026-07-01T00:00:00Z", "Europe/Berlin")).toBe(
      "2026-07-01T07:00:00.000Z",
    );
    expect(next("cron(0 9 * * ? *)", "2026-03-29T00:30:00Z", "America/New_York")).toBe(
      "2026-03-29T13:00:00.000Z",
    );
  });
});

describe("at", () => {
  it("fires once, at the wall-clock time in its time zone (a past time is due at once)", () => {
    expect(next("at(2027-01-15T10:00:00)", "2026-12-01T00:00:00Z")).toBe("2027-01-15T10:00:00.000Z");
    expect(next("at(2027-01-15T10:00:00)", "2026-12-01T00:00:00Z", "Asia/Tokyo")).toBe(
      "2027-01-15T01:00:00.000Z",
    );
    expect(next("at(2020-01-01T00:00:00)", "2026-12-01T00:00:00Z")).toBe("2020-01-01T00:00:00.000Z");
  });
});

describe("invalid expressions", () => {
  it.each([
    "rate(0 minutes)",
    "rate(5 weeks)",
    "rate(five minutes)",
    "cron(0 8 * * * *)", // both day fields set
    "cron(0 8 ? * ? *)", // neither
    "cron(0 8 * *)",
    "cron(61 8 * * ? *)",
    "cron(0 8 32 * ? *)",
    "cron(0 8 ? * 9 *)",
    "at(2027-02-30T10:00:00)",
    "at(2027-01-15 10:00)",
    "every 5 minutes",
  ])("%s is refused with the service's ValidationException", (expression) => {
    expect(() => parseExpression(expression)).toThrow(
      expect.objectContaining({
        code: "ValidationException",
        message: `Invalid Schedule Expression ${expression}.`,
      }),
    );
  });
});
