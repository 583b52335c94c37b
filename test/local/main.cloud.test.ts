/**
 * `npm start` on a fresh state dir comes up, writes its endpoint files and shuts down cleanly on SIGINT; while
 * it starts, its ports either refuse connections or answer honestly (503 "starting", or hold a request until
 * the routes are wired), never 404 for a route that exists once ready.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isAlive } from "../../local/process/proc.js";
import { CloudProcess } from "../support/cloud-process.js";

interface Probe {
  statuses: number[];
  healthBodies: string[];
}

/** Sends requests as a script waiting on the port would, until `stop()`; connection refusals are not answers. */
function probe(base: string, send: (base: string) => Promise<Response>) {
  const seen: Probe = { statuses: [], healthBodies: [] };
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const res = await send(base);
        seen.statuses.push(res.status);
        const text = await res.text();
        if (new URL(res.url).pathname.endsWith("/health")) seen.healthBodies.push(text);
      } catch {
        // Not listening yet: refused, which is honest.
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    seen,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

describe("npm start", () => {
  it("starts on a fresh .local/, writes endpoints.json and kubeconfig, stops on SIGINT", async () => {
    // Ports of our own, known before it starts, so a developer's running `npm start` is not disturbed.
    const cloud = await CloudProcess.create({ samePorts: true });
    const cwd = cloud.dir;
    const web = `http://127.0.0.1:${cloud.ports?.web}`;
    const edge = `http://127.0.0.1:${cloud.ports?.edge}`;
    // A script that waits for the port and then signs up; and one that waits on the health endpoints.
    const signups = probe(web, (b) =>
      fetch(`${b}/signups`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
    );
    const webHealth = probe(web, (b) => fetch(`${b}/health`));
    const edgeHealth = probe(edge, (b) => fetch(`${b}/_localstack/health`));
    try {
      // Generous: a cold start compiles every module, on a machine other suites keep busy.
      await cloud.start({ fresh: true, timeoutMs: 100_000 });
      expect(cloud.output()).toContain("Embark local cloud is ready");
      await Promise.all([signups.stop(), webHealth.stop(), edgeHealth.stop()]);
      // Every answer POST /signups got while starting was the route's own (400 for `{}`), never a 404.
      expect(signups.seen.statuses.length).toBeGreaterThan(0);
      expect(signups.seen.statuses.filter((s) => s !== 400)).toEqual([]);
      for (const p of [webHealth, edgeHealth]) {
        for (const [i, status] of p.seen.statuses.entries()) {
          const body = JSON.parse(p.seen.healthBodies[i] ?? "{}") as { status?: string };
          expect(status === 503 ? "starting" : "running").toBe(body.status);
          expect([200, 503]).toContain(status);
        }
      }
      const ready = (await (await fetch(`${edge}/_localstack/health`)).json()) as {
        status: string;
        services: Record<string, string>;
      };
      expect(ready.status).toBe("running");
      expect(ready.services).toMatchObject({ "cognito-idp": "running", events: "running", web: "running" });
      const endpoints = JSON.parse(await readFile(join(cwd, ".local/endpoints.json"), "utf8"));
      expect(endpoints.edge).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(endpoints.services).toHaveProperty("states", endpoints.edge);
      expect(existsSync(join(cwd, ".local/kubeconfig"))).toBe(true);
      const health = await fetch(`${endpoints.web}/health`);
      expect(health.status).toBe(200);

      // The emulators' child processes (local/emulators/in-child.ts) run beside it.
      const pidFiles = ["dynamodb", "cognito", "k8s"].map((d) => join(cwd, ".local", d, "emulator.pid"));
      const pids = await Promise.all(pidFiles.map(async (f) => Number(await readFile(f, "utf8"))));
      expect(pids.every(isAlive)).toBe(true);

      expect(await cloud.stop()).toBe(0); // Ctrl-C
      expect(cloud.output()).toContain("stopped.");
      // Stopped by their parent before it exited: no child left, no pid file left.
      expect(pids.filter(isAlive)).toEqual([]);
      expect(pidFiles.filter((f) => existsSync(f))).toEqual([]);
      // Nothing listens any more: the process tree is gone.
      await expect(fetch(`${endpoints.edge}/health`)).rejects.toThrow();
    } finally {
      await cloud.dispose();
    }
  }, 150_000);
});
