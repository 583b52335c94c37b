/**
 * Embark's ops CLI: `npm run ops -- <command>` (see `npm run ops -- --help`). Works through the AWS APIs
 * (DynamoDB, Step Functions, SQS), so the same commands run against AWS and against the local cloud.
 */
import { runCli } from "./cli.js";

// The SDK warns on every run that its 2027 releases need Node 22; an operator's terminal does not need that.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
process.exitCode = code;
