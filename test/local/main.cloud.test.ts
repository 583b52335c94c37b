/** `npm start` on a fresh state dir comes up, writes its endpoint files and shuts down cleanly on SIGINT. */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startLocalMain } from "../support/npm-start.js";

describe("npm start", () => {
  it("starts on a fresh .local/, writes endpoints.json and kubeconfig, stops on SIGINT", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "embark-start-"));
    const { child, output, exited, waitForOutput } = startLocalMain(cwd);
    try {
      await waitForOutput("Press Ctrl-C to stop.", 45_000);
      expect(output()).toContain("Embark local cloud is ready");
      const endpoints = JSON.parse(await readFile(join(cwd, ".local/endpoints.json"), "utf8"));
      expect(endpoints.edge).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(endpoints.services).toHaveProperty("states", endpoints.edge);
      expect(existsSync(join(cwd, ".local/kubeconfig"))).toBe(true);
      const health = await fetch(`${endpoints.web}/health`);
      expect(health.status).toBe(200);

      child.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(output()).toContain("stopped.");
      // Nothing listens any more: the process tree is gone.
      await expect(fetch(`${endpoints.edge}/health`)).rejects.toThrow();
    } finally {
      child.kill("SIGKILL");
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
