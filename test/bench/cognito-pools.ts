/**
 * `tsx test/bench/cognito-pools.ts [repo]`: the Cognito emulator over many tenants' pools. Seeds BENCH_POOLS
 * (default 5,000) pool files, copies of one tenant-like pool (tags, email usernames, one user) under new ids, then
 * starts the emulator's child process (local/emulators/in-child.ts) from `repo` (default this checkout; pass
 * another worktree to compare) twice on them and reports, for the second start (the first also backfills the
 * tag index): time to listen, the child's RSS after start, after DescribeUserPool + AdminGetUser of every pool,
 * and 30 s later (RSS right after the requests is mostly heap V8 grew for their garbage; BENCH_DISTINCT=100 sends
 * the same requests to 100 pools only, for that baseline). Prints numbers and asserts nothing.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { flushFile } from "../../local/aws/state-file.js";
import { startCognito } from "../../local/emulators/cognito.js";
import type { RunningEmulator } from "../../local/emulators/types.js";
import { procStat } from "../../local/process/proc.js";

const POOLS = Number(process.env.BENCH_POOLS ?? 5_000);
/** BENCH_DISTINCT=100: the same number of requests, over the first 100 pools only (none evicted). */
const DISTINCT = Number(process.env.BENCH_DISTINCT ?? POOLS);
const repo = resolve(process.argv[2] ?? ".");
const USER = "owner@example.com";

const clientOf = (url: string) =>
  new CognitoIdentityProviderClient({
    endpoint: url,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });

/** `<dir>/cognito/db` with POOLS pool files, each a copy of one made through the emulator. */
async function seed(dir: string): Promise<string[]> {
  const cognito = await startCognito(join(dir, "cognito"), "http://127.0.0.1:1");
  const client = clientOf(cognito.url);
  const made = await client.send(
    new CreateUserPoolCommand({
      PoolName: "tenant-template",
      UsernameAttributes: ["email"],
      UserPoolTags: { "embark:tenant": "template" },
    }),
  );
  const id = made.UserPool!.Id!;
  await client.send(
    new AdminCreateUserCommand({ UserPoolId: id, Username: USER, MessageAction: "SUPPRESS" }),
  );
  const db = join(dir, "cognito", "db");
  await flushFile(join(db, `${id}.json`));
  await cognito.stop();
  const template = await readFile(join(db, `${id}.json`), "utf8");
  await rm(join(db, `${id}.json`));
  const ids = Array.from({ length: POOLS }, (_, i) => `local_bench${String(i).padStart(5, "0")}`);
  for (const pool of ids) await writeFile(join(db, `${pool}.json`), template.replaceAll(id, pool));
  return ids;
}

const PAGE = 4096;
const rssMb = (pid: number) => Math.round((Number(procStat(pid)?.[21]) * PAGE) / 2 ** 20);

async function start(stateDir: string): Promise<{ emulators: RunningEmulator[]; ms: number; pid: number }> {
  const { startEmulatorProcess } = (await import(join(repo, "local/emulators/in-child.ts"))) as {
    startEmulatorProcess(name: string, dir: string, args: string[]): Promise<RunningEmulator[]>;
  };
  const t0 = performance.now();
  const emulators = await startEmulatorProcess("cognito", stateDir, ["http://127.0.0.1:1"]);
  const ms = Math.round(performance.now() - t0);
  const pid = Number(await readFile(join(stateDir, "emulator.pid"), "utf8"));
  return { emulators, ms, pid };
}

const dir = await mkdtemp(join(tmpdir(), "bench-cognito-"));
try {
  const empty = join(dir, "empty", "cognito");
  await mkdir(empty, { recursive: true });
  const bare = await start(empty);
  console.log(`empty dir: listening in ${bare.ms} ms, RSS ${rssMb(bare.pid)} MB`);
  await bare.emulators[0]!.stop();

  const ids = await seed(join(dir, "seeded"));
  const stateDir = join(dir, "seeded", "cognito");
  console.log(
    `${(await readdir(join(stateDir, "db"))).filter((f) => f.startsWith("local_bench")).length} pool files seeded; repo ${repo}`,
  );
  await (await start(stateDir)).emulators[0]!.stop(); // backfills the tag index once
  const run = await start(stateDir);
  console.log(`${POOLS} pools: listening in ${run.ms} ms, RSS ${rssMb(run.pid)} MB`);
  const client = clientOf(run.emulators.find((e) => e.signingNames.includes("cognito-idp"))!.url);
  const t0 = performance.now();
  for (const [i, pool] of ids.entries()) {
    const id = ids[i % DISTINCT] ?? pool;
    await client.send(new DescribeUserPoolCommand({ UserPoolId: id }));
    await client.send(new AdminGetUserCommand({ UserPoolId: id, Username: USER }));
  }
  const ms = Math.round(performance.now() - t0);
  console.log(`after DescribeUserPool + AdminGetUser of every pool (${ms} ms): RSS ${rssMb(run.pid)} MB`);
  // What the child retains: V8 gives back the heap a burst of requests grew only once the process idles.
  await new Promise((r) => setTimeout(r, 30_000));
  console.log(`  30 s later, idle: RSS ${rssMb(run.pid)} MB`);
  await run.emulators[0]!.stop();
} finally {
  await rm(dir, { recursive: true, force: true });
}
