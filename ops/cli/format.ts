/** Plain-text output of the ops CLI: aligned tables, times, durations, and redaction of secrets. */

export interface Column<T> {
  header: string;
  value: (row: T) => string | number | undefined;
  /** Right-align (numbers). */
  right?: boolean;
  /** Cut longer values with an ellipsis. */
  max?: number;
}

/** An aligned table with a header row; "(none)" for no rows. Trailing spaces are trimmed. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  if (rows.length === 0) return "(none)\n";
  const cells = rows.map((row) => columns.map((c) => cell(c.value(row), c.max)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (columns[i]?.right ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return `${[line(columns.map((c) => c.header)), ...cells.map(line)].join("\n")}\n`;
}

function cell(value: string | number | undefined, max?: number): string {
  if (value === undefined || value === "") return "-";
  const text = String(value).replace(/\s+/g, " ");
  return max !== undefined && text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `label: value` lines, labels aligned; undefined values are left out. */
export function fields(pairs: ReadonlyArray<[string, string | number | undefined]>): string {
  const shown = pairs.filter(([, v]) => v !== undefined && v !== "");
  const width = Math.max(0, ...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${`${k}:`.padEnd(width + 1)}  ${v}`).join("\n") + (shown.length ? "\n" : "");
}

/** ISO time → `2026-11-23 12:22:58Z` (UTC, seconds). */
export function time(value: string | number | Date | undefined): string | undefined {
  if (value === undefined) return undefined;
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return `${d.toISOString().slice(0, 19).replace("T", " ")}Z`;
}

/** Milliseconds → `850ms`, `12.3s`, `4m05s`, `2h03m`. */
export function duration(ms: number | undefined): string | undefined {
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

const SECRET_KEY = /token|password|secret|credential/i;

/**
 * A copy of `value` with secrets replaced: values under keys that name a token, password, secret or
 * credential. Task tokens travel as `taskToken`/`TaskToken` parameters, so they never reach the terminal.
 */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        SECRET_KEY.test(k) && v !== null && v !== "" ? "[redacted]" : redact(v),
      ]),
    );
  }
  return value;
}

/** Parses a JSON string from an AWS API for display; the raw string if it is not JSON. */
export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
