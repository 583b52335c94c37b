/// <reference path="./.sst/platform/config.d.ts" />
/**
 * Embark on AWS (SST 4). `npx sst deploy --stage <stage>`; see README "Deploy to AWS" for prerequisites and the
 * per-stage settings. Production stages keep their data (removal "retain") and are protected from `sst remove`.
 */
const PRODUCTION_STAGES = ["production", "prod"];

export default $config({
  app(input) {
    const production = PRODUCTION_STAGES.includes(input?.stage ?? "");
    return {
      name: "embark",
      home: "aws",
      removal: production ? "retain" : "remove",
      protect: production,
    };
  },
  async run() {
    // Imported here, not at the top: SST evaluates app() before the providers it needs are installed.
    const { embark } = await import("./stacks/index.js");
    return embark();
  },
});
