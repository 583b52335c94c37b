import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One local cloud for the whole run (see test/support/global-setup.ts), not one per file.
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: more workers only contend with the in-process cloud.
    maxWorkers: 2,
  },
});
