import { defineConfig } from "vitest/config";

// Tests mirror the source tree (test/core/tenant/model.test.ts tests core/tenant/model.ts). Four projects:
// - unit: pure code and in-memory fakes; starts nothing (`npm run test:unit`, seconds);
// - stacks: the SST program under Pulumi mocks (needs `npm run sst:install` once; starts no server);
// - cloud: `*.cloud.test.ts`, the journeys in test/e2e and test/browser, against one local cloud per run;
// - bundles: test/bundles, every function run from its deployment bundle (`npm run bundle`, built by the
//   project's setup) on a second local cloud in a child process, after the other projects.
const CLOUD = ["test/**/*.cloud.test.ts", "test/e2e/**/*.test.ts", "test/browser/**/*.test.ts"];
const BUNDLES = ["test/bundles/**/*.test.ts"];
const shared = { testTimeout: 60_000, hookTimeout: 60_000 };

export default defineConfig({
  test: {
    // Three on two cores: the cloud project mostly waits (polls, grace periods, child clouds restarting). Measured
    // on it: 2 workers 358 s with 0.76 of a core busy, 3 workers 216 s.
    maxWorkers: 3,
    projects: [
      {
        test: {
          ...shared,
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: [...CLOUD, ...BUNDLES, "test/stacks/**"],
          // No machine's AWS profile leaks in: the SDK finds these and never calls anything real.
          env: {
            AWS_ACCESS_KEY_ID: "unit-test",
            AWS_SECRET_ACCESS_KEY: "unit-test",
            AWS_REGION: "us-east-1",
          },
        },
      },
      {
        test: { ...shared, name: "stacks", include: ["test/stacks/**/*.test.ts"], exclude: CLOUD },
      },
      {
        test: {
          ...shared,
          name: "bundles",
          include: BUNDLES,
          globalSetup: ["test/support/bundle-cloud-setup.ts"],
          // Its cloud starts at setup; its journey runs once the other projects are done, not beside them.
          sequence: { groupOrder: 1 },
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          ...shared,
          name: "cloud",
          include: CLOUD,
          // One local cloud for the whole run (test/support/global-setup.ts), not one per file.
          globalSetup: ["test/support/global-setup.ts"],
        },
      },
    ],
  },
});
