/**
 * The ops CLI run as an operator runs it: a child process against the test run's local cloud, from the bundle
 * the global setup builds (test/support/ops-cli-bundle.ts).
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../local/aws/constants.js";
import { cloud } from "./cloud.js";
import { OPS_CLI_BUNDLE } from "./ops-cli-bundle.js";

const ROOT = resolve(import.meta.dirname, "../..");

export interface OpsRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** What an operator sets for real AWS (endpoint, region, credentials, table names), pointed at the test cloud. */
export function opsAwsEnv(): NodeJS.ProcessEnv {
  return {
    AWS_ENDPOINT_URL: cloud().edge,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    TENANTS_TABLE: LOCAL_NAMES.table("tenants"),
    PLANS_TABLE: LOCAL_NAMES.table("plans"),
  };
}

/** Only what AWS needs (endpoint, region, credentials): the CLI finds the rest itself. */
export function endpointOnlyEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ENDPOINT_URL: cloud().edge,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    NODE_NO_WARNINGS: "1",
  };
}

/**
 * `node dist/test/ops-cli.mjs <args>` (the bundle of ops/cli/main.ts) with exactly `env`; never rejects: a failed run comes back with its exit
 * code (-1 when it has none, e.g. killed on the timeout).
 */
export function runOpsCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  { timeout = 60_000 }: { timeout?: number } = {},
): Promise<OpsRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [OPS_CLI_BUNDLE, ...args],
      { cwd: ROOT, env, timeout, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}
