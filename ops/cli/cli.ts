/** Parses the command line, runs one command and maps its outcome to an exit code (see errors.ts). */
import { parseArgs } from "node:util";
import type { CommandSpec, OptionSpec } from "./command-spec.js";
import { COMMANDS, GLOBAL_OPTIONS } from "./commands.js";
import { OpsContext, type Output } from "./context.js";
import { discoverTarget } from "./discover.js";
import { EXIT, NotFoundError, UsageError } from "./errors.js";

const PROGRAM = "npm run ops --";

function optionLines(options: Record<string, OptionSpec>): string[] {
  const entries = Object.entries(options).map(([name, o]) => [
    `--${name}${o.value ? ` ${o.value}` : ""}`,
    o.description,
  ]);
  const width = Math.max(...entries.map(([flag]) => flag?.length ?? 0));
  return entries.map(([flag, text]) => `  ${flag?.padEnd(width)}  ${text}`);
}

export function usageLine(c: CommandSpec): string {
  const opts = Object.entries(c.options).map(([n, o]) => `[--${n}${o.value ? ` ${o.value}` : ""}]`);
  return [PROGRAM, c.name, ...c.args.map((a) => `<${a}>`), ...opts].join(" ");
}

export function commandHelp(c: CommandSpec): string {
  return [
    `${c.summary}.`,
    "",
    `usage: ${usageLine(c)}`,
    ...(c.details ? ["", c.details] : []),
    "",
    "options:",
    ...optionLines({ ...c.options, ...GLOBAL_OPTIONS }),
    "",
  ].join("\n");
}

export function topHelp(group?: string): string {
  const shown = COMMANDS.filter((c) => !group || c.name.startsWith(`${group} `));
  const width = Math.max(...shown.map((c) => c.name.length + c.args.join(" <>").length + 3));
  return [
    "Embark ops CLI: tenants, executions, queues and plans, through the AWS APIs.",
    "",
    `usage: ${PROGRAM} ${group ?? "<command>"} ${group ? "<command> " : ""}[options]`,
    "",
    "commands:",
    ...shown.map(
      (c) => `  ${[c.name, ...c.args.map((a) => `<${a}>`)].join(" ").padEnd(width)}  ${c.summary}`,
    ),
    "",
    "global options:",
    ...optionLines(GLOBAL_OPTIONS),
    "",
    "Target: the standard AWS credential chain and AWS_ENDPOINT_URL; resource names from TENANTS_TABLE,",
    "PLANS_TABLE, ONBOARDING_STATE_MACHINE_ARN, … With AWS_ENDPOINT_URL unset and .local/endpoints.json present,",
    "the local cloud of `npm start`. Exit codes: 0 ok, 1 unexpected error, 2 usage error, 3 not found.",
    `Help for one command: ${PROGRAM} <command> --help`,
    "",
  ].join("\n");
}

const GROUPS = [
  ...new Set(COMMANDS.filter((c) => c.name.includes(" ")).map((c) => c.name.split(" ")[0] ?? "")),
];
const isGlobalFlag = (t: string) => t === "--json" || t === "--verbose" || t === "--help" || t === "-h";

/** Runs the CLI; returns the exit code. Output goes through `io` (stdout/stderr in main.ts). */
export async function runCli(
  argv: readonly string[],
  io: Output,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): Promise<number> {
  // Global flags may come before the command words too (`ops --json tenants list`).
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length && isGlobalFlag(argv[i] ?? "")) leading.push(argv[i++] ?? "");
  const words = argv.slice(i);
  const [first, second] = words;
  const wantsHelp = argv.some((t) => t === "--help" || t === "-h");

  if (first === undefined || first === "help") {
    const ok = first === "help" || wantsHelp;
    (ok ? io.out : io.err)(topHelp());
    return ok ? EXIT.ok : EXIT.usage;
  }
  const twoWords = COMMANDS.find((c) => c.name === `${first} ${second}`);
  const command = twoWords ?? COMMANDS.find((c) => c.name === first);
  if (!command) {
    if (GROUPS.includes(first)) {
      if (second === undefined || second.startsWith("-")) {
        (wantsHelp ? io.out : io.err)(topHelp(first));
        return wantsHelp ? EXIT.ok : EXIT.usage;
      }
      io.err(`error: unknown command "${first} ${second}"\n\n${topHelp(first)}`);
      return EXIT.usage;
    }
    io.err(`error: unknown command "${first}"; run ${PROGRAM} --help\n`);
    return EXIT.usage;
  }
  const rest = [...leading, ...words.slice(twoWords ? 2 : 1)];

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: Object.fromEntries(
        Object.entries({ ...GLOBAL_OPTIONS, ...command.options }).map(([name, o]) => [
          name,
          { type: o.type, ...("short" in o && o.short ? { short: o.short } : {}) },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    // Node's message goes on about `--` for positionals that start with "-"; the first sentence is the point.
    const message = (err as Error).message.split(". To specify")[0];
    io.err(`error: ${message}\nusage: ${usageLine(command)}\n`);
    return EXIT.usage;
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) {
    io.out(commandHelp(command));
    return EXIT.ok;
  }
  if (parsed.positionals.length !== command.args.length) {
    const problem =
      parsed.positionals.length < command.args.length
        ? `missing <${command.args[parsed.positionals.length]}>`
        : `unexpected argument "${parsed.positionals[command.args.length]}"`;
    io.err(`error: ${problem}\nusage: ${usageLine(command)}\n`);
    return EXIT.usage;
  }

  let ctx: OpsContext | undefined;
  try {
    const stage = typeof values.stage === "string" ? values.stage : undefined;
    const target = await discoverTarget(env, cwd, stage ? { stage } : {});
    ctx = new OpsContext(target, io, { json: values.json === true, verbose: values.verbose === true });
    ctx.verbose(`target: ${target.description}`);
    ctx.verbose(
      `tables: tenants=${target.tenantsTable ?? "(unset)"} plans=${target.plansTable ?? "(unset)"}`,
    );
    await command.run(ctx, parsed.positionals, values);
    return EXIT.ok;
  } catch (err) {
    return report(err, io, command, values.verbose === true, env, ctx);
  } finally {
    ctx?.close();
  }
}

function report(
  err: unknown,
  io: Output,
  command: CommandSpec,
  verbose: boolean,
  env: NodeJS.ProcessEnv,
  ctx?: OpsContext,
): number {
  if (err instanceof UsageError) {
    io.err(`error: ${err.message}\n${err.command ? `usage: ${usageLine(command)}\n` : ""}`);
    return EXIT.usage;
  }
  if (err instanceof NotFoundError) {
    io.err(`error: ${err.message}\n`);
    return EXIT.notFound;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as NodeJS.ErrnoException).code ?? (e.cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "ECONNRESET") {
    const where = ctx?.target.clientConfig.endpoint ?? env.AWS_ENDPOINT_URL ?? "AWS";
    const hint = ctx?.target.mode === "local" ? " (is the local cloud running? npm start)" : "";
    io.err(`error: cannot reach ${where}${hint}: ${code}\n`);
  } else if (e.name === "CredentialsProviderError") {
    io.err(`error: no AWS credentials: ${e.message}\n`);
  } else {
    io.err(`error: ${e.name}: ${e.message}\n`);
  }
  if (verbose && e.stack) io.err(`${e.stack}\n`);
  return EXIT.unexpected;
}
