/** The shape of a CLI command (commands.ts, lifecycle-commands.ts) and its options. */
import type { OpsContext } from "./context.js";

export interface OptionSpec {
  type: "string" | "boolean";
  description: string;
  /** Placeholder in help (`--status S`). */
  value?: string;
}

export type OptionValues = Record<string, string | boolean | undefined>;

export interface CommandSpec {
  /** `tenants list`; the words typed. */
  name: string;
  /** Positional arguments, all required. */
  args: string[];
  summary: string;
  details?: string;
  options: Record<string, OptionSpec>;
  run(ctx: OpsContext, args: string[], options: OptionValues): Promise<void>;
}
