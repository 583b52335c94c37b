/**
 * EventBridge Scheduler schedule expressions, as the service reads them:
 * - `rate(value unit)`: unit minute(s), hour(s) or day(s); the first invocation at the start date (or at once
 *   when there is none), then every period after it;
 * - `cron(minutes hours day-of-month month day-of-week year)`: AWS's six-field cron, `,` `-` `*` `/`, `?` in one
 *   of the two day fields, month and day names, `L` and `W` (day of month), `L` and `#` (day of week; 1 = SUN);
 * - `at(yyyy-mm-ddThh:mm:ss)`: once.
 * Cron and at are read in the schedule's time zone (IANA name; default UTC). Invalid expressions get the
 * service's ValidationException wording.
 */
import { validation } from "../aws/validation.js";

export type Expression =
  | { kind: "rate"; periodMs: number }
  | { kind: "cron"; cron: Cron }
  | { kind: "at"; local: LocalTime };

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

type DayRule =
  | { kind: "any" }
  | { kind: "set"; values: Set<number> }
  | { kind: "last" }
  | { kind: "weekday"; day: number }
  | { kind: "lastOfWeek"; dow: number }
  | { kind: "nth"; dow: number; n: number };

interface Cron {
  minutes: number[];
  hours: number[];
  months: Set<number>;
  years: Set<number> | undefined;
  dom: DayRule;
  dow: DayRule;
}

const UNITS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MIN_YEAR = 1970;
const MAX_YEAR = 2199;

const invalid = (expression: string) => validation(`Invalid Schedule Expression ${expression}.`);

export function parseExpression(expression: string): Expression {
  const m = /^(rate|cron|at)\((.*)\)$/.exec(expression.trim());
  if (!m) throw invalid(expression);
  const [, kind, body] = m as unknown as [string, "rate" | "cron" | "at", string];
  if (kind === "rate") {
    const r = /^\s*([1-9][0-9]*)\s+(minute|minutes|hour|hours|day|days)\s*$/.exec(body);
    if (!r) throw invalid(expression);
    return { kind, periodMs: Number(r[1]) * UNITS[r[2]!.replace(/s$/, "")]! };
  }
  if (kind === "at") {
    const a = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
    if (!a) throw invalid(expression);
    const [year, month, day, hour, minute, second] = a.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    if (
      month < 1 ||
      month > 12 ||
      day < 1 ||
      day > daysIn(year, month) ||
      hour > 23 ||
      minute > 59 ||
      second > 59
    )
      throw invalid(expression);
    return { kind, local: { year, month, day, hour, minute, second } };
  }
  return { kind, cron: parseCron(body, expression) };
}

function parseCron(body: string, expression: string): Cron {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) throw invalid(expression);
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  // One of the day fields must be "?": AWS refuses both set (and both "?").
  if ((dom === "?") === (dow === "?")) throw invalid(expression);
  const num =
    (names?: string[], offset = 0) =>
    (token: string) => {
      const i = names?.indexOf(token.toUpperCase()) ?? -1;
      if (i >= 0) return i + offset;
      if (!/^\d+$/.test(token)) throw invalid(expression);
      return Number(token);
    };
  const list = (field: string, lo: number, hi: number, parse = num()) => {
    const out = new Set<number>();
    for (const part of field.split(",")) {
      const [range, stepText] = part.split("/") as [string, string | undefined];
      const step = stepText === undefined ? 1 : Number(stepText);
      if (!Number.isInteger(step) || step < 1) throw invalid(expression);
      let from: number;
      let to: number;
      if (range === "*") [from, to] = [lo, hi];
      else if (range.includes("-")) {
        const [a, b] = range.split("-") as [string, string];
        [from, to] = [parse(a), parse(b)];
      } else {
        from = parse(range);
        to = stepText === undefined ? from : hi;
      }
      if (from < lo || to > hi || from > to) throw invalid(expression);
      for (let v = from; v <= to; v += step) out.add(v);
    }
    return out;
  };
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);

  const dayOfMonth = (): DayRule => {
    if (dom === "?" || dom === "*") return { kind: "any" };
    if (dom === "L") return { kind: "last" };
    const w = /^(\d{1,2})W$/.exec(dom);
    if (w) {
      const day = Number(w[1]);
      if (day < 1 || day > 31) throw invalid(expression);
      return { kind: "weekday", day };
    }
    return { kind: "set", values: list(dom, 1, 31) };
  };
  const dayOfWeek = (): DayRule => {
    if (dow === "?" || dow === "*") return { kind: "any" };
    const parseDay = num(DAYS, 1);
    if (dow === "L") return { kind: "set", values: new Set([7]) };
    const last = /^(\w+)L$/.exec(dow);
    if (last) return { kind: "lastOfWeek", dow: checkDay(parseDay(last[1]!)) };
    const nth = /^(\w+)#([1-5])$/.exec(dow);
    if (nth) return { kind: "nth", dow: checkDay(parseDay(nth[1]!)), n: Number(nth[2]) };
    return { kind: "set", values: list(dow, 1, 7, parseDay) };
  };
  const checkDay = (d: number) => {
    if (d < 1 || d > 7) throw invalid(expression);
    return d;
  };

  return {
    minutes: sorted(list(min, 0, 59)),
    hours: sorted(list(hour, 0, 23)),
    months: list(month, 1, 12, num(MONTHS, 1)),
    years: year === "*" ? undefined : list(year, MIN_YEAR, MAX_YEAR),
    dom: dayOfMonth(),
    dow: dayOfWeek(),
  };
}

/**
 * The first occurrence at or after `from` (epoch ms), or undefined when there is none (an `at` in the past is
 * still returned: it is due). `anchor` is where a rate's grid starts.
 */
export function nextOccurrence(
  e: Expression,
  opts: { from: number; anchor: number; timeZone: string },
): number | undefined {
  switch (e.kind) {
    case "at":
      return zonedToUtc(e.local, opts.timeZone);
    case "rate": {
      if (opts.from <= opts.anchor) return opts.anchor;
      const k = Math.ceil((opts.from - opts.anchor) / e.periodMs);
      return opts.anchor + k * e.periodMs;
    }
    case "cron":
      return nextCron(e.cron, opts.from, opts.timeZone);
  }
}

function nextCron(c: Cron, from: number, timeZone: string): number | undefined {
  // Whole minutes: the first minute boundary at or after `from`.
  const start = Math.ceil(from / 60_000) * 60_000;
  const p = partsIn(start, timeZone);
  let { year, month, day } = p;
  let firstDay = true;
  while (year <= MAX_YEAR) {
    if (c.years && !c.years.has(year)) {
      [year, month, day, firstDay] = [year + 1, 1, 1, false];
      continue;
    }
    if (!c.months.has(month)) {
      [month, day, firstDay] = [month + 1, 1, false];
      if (month > 12) [year, month] = [year + 1, 1];
      continue;
    }
    if (day > daysIn(year, month)) {
      [month, day, firstDay] = [month + 1, 1, false];
      if (month > 12) [year, month] = [year + 1, 1];
      continue;
    }
    if (dayMatches(c, year, month, day)) {
      for (const hour of c.hours) {
        for (const minute of c.minutes) {
          if (firstDay && (hour < p.hour || (hour === p.hour && minute < p.minute))) continue;
          const t = zonedToUtc({ year, month, day, hour, minute, second: 0 }, timeZone);
          if (t >= start) return t;
        }
      }
    }
    day += 1;
    firstDay = false;
  }
  return undefined;
}

function dayMatches(c: Cron, year: number, month: number, day: number): boolean {
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1; // 1 = SUN
  const last = daysIn(year, month);
  const rule = c.dom.kind !== "any" ? c.dom : c.dow;
  switch (rule.kind) {
    case "any":
      return true;
    case "set":
      return rule.values.has(rule === c.dom ? day : weekday);
    case "last":
      return day === last;
    case "weekday": {
      // The weekday (MON–FRI) nearest the given day, within the month.
      const target = Math.min(rule.day, last);
      const wd = new Date(Date.UTC(year, month - 1, target)).getUTCDay();
      let nearest = target;
      if (wd === 6) nearest = target === 1 ? 3 : target - 1;
      else if (wd === 0) nearest = target === last ? target - 2 : target + 1;
      return day === nearest;
    }
    case "lastOfWeek":
      return weekday === rule.dow && day + 7 > last;
    case "nth":
      return weekday === rule.dow && Math.ceil(day / 7) === rule.n;
  }
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock parts of an instant in a time zone. */
function partsIn(t: number, timeZone: string): LocalTime {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formats.set(timeZone, f);
  }
  const get = (type: string) => Number(f.formatToParts(t).find((x) => x.type === type)?.value);
  return {
    year: get("year"),
    month: get("month"),
    day: get("day"),
    hour: get("hour"),
    minute: get("minute"),
    second: get("second"),
  };
}

/** The instant a wall-clock time in a time zone names (the later reading across a DST change). */
export function zonedToUtc(l: LocalTime, timeZone: string): number {
  const wall = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  const offsetAt = (t: number) => {
    const p = partsIn(t, timeZone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(t / 1000) * 1000;
  };
  let t = wall - offsetAt(wall);
  const again = wall - offsetAt(t);
  if (again !== t) t = again;
  return t;
}

/** Whether the time zone is one the runtime knows (IANA names). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}
