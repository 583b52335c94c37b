/**
 * Embark's ops CLI: `npm run ops -- <command>` (see `npm run ops -- --help`). Works through the AWS APIs
 * (DynamoDB, Step Functions, SQS), so the same commands run against AWS and against the local cloud.
 */
import { runCli } from "./cli.js";

const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
process.exitCode = code;
