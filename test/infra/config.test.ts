/** Stage settings: a deploy without a required setting stops and says which one to set. */
import { describe, expect, it } from "vitest";
import { TEST_SECRETS } from "./deployed.js";
import { runSstProgram } from "./sst-mocks.js";

describe("stage settings", () => {
  it("a deploy without EksClusterName fails with the command that sets it", async () => {
    const { EksClusterName: _missing, ...secrets } = TEST_SECRETS;
    await expect(runSstProgram({ stage: "dev", secrets })).rejects.toThrow(
      "Set a value for EksClusterName with `sst secret set EksClusterName <value>`",
    );
  }, 120_000);
});
