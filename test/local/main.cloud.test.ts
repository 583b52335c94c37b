/** `npm start` on a fresh state dir comes up, writes its endpoint files and shuts down cleanly on SIGINT. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

describe("npm start", () => {
  it("starts on a fresh .local/, writes endpoints.json and kubeconfig, stops on SIGINT", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "embark-start-"));
    // Free ports of our own so a developer's running `npm start` is not disturbed.
    const tsx = import.meta.resolve("tsx");
    const child = spawn(
      process.execPath,
      ["--import", tsx, join(process.cwd(), "local/main.ts"), "--fresh"],
      {
        cwd,
        env: { ...process.env, EMBARK_EDGE_PORT: "0", EMBARK_WEB_PORT: "0", EMBARK_KUBE_PORT: "0" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const deadline = Date.now() + 45_000;
      while (!output.includes("Press Ctrl-C to stop.") && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(output).toContain("Embark local cloud is ready");
      const endpoints = JSON.parse(await readFile(join(cwd, ".local/endpoints.json"), "utf8"));
      expect(endpoints.edge).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(endpoints.services).toHaveProperty("states", endpoints.edge);
      expect(existsSync(join(cwd, ".local/kubeconfig"))).toBe(true);
      const health = await fetch(`${endpoints.web}/health`);
      expect(health.status).toBe(200);

      child.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(output).toContain("stopped.");
      // Nothing listens any more: the process tree is gone.
      await expect(fetch(`${endpoints.edge}/health`)).rejects.toThrow();
    } finally {
      child.kill("SIGKILL");
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
