/**
 * `npm start` (local/main.ts) as a child process that a test kills with SIGKILL and starts again on the same
 * state directory and the same ports, as `kill -9` and a developer's next `npm start` would.
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";

const ROOT = join(import.meta.dirname, "../..");

export interface Ports {
  edge: number;
  web: number;
  kube: number;
}

/** A port nothing listens on right now (so a test knows the ports before the cloud prints them). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function freePorts(): Promise<Ports> {
  return { edge: await freePort(), web: await freePort(), kube: await freePort() };
}

export interface Run {
  child: ChildProcessByStdio<null, Readable, Readable>;
  output(): string;
  /** Whether the process ended on its own (not by our kill). */
  exitedByItself(): boolean;
  kill(): Promise<void>;
}

export class KillableCloud {
  readonly edge: string;
  readonly web: string;
  /** Every run's output, in order (for a failure message). */
  readonly log: string[] = [];

  constructor(
    readonly dir: string,
    readonly ports: Ports,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.edge = `http://127.0.0.1:${ports.edge}`;
    this.web = `http://127.0.0.1:${ports.web}`;
  }

  get stateDir(): string {
    return join(this.dir, ".local");
  }

  /** Starts `npm start`'s program (no --fresh: the state of earlier runs is kept). */
  spawn(): Run {
    const child = spawn(
      process.execPath,
      ["--import", import.meta.resolve("tsx"), join(ROOT, "local/main.ts")],
      {
        cwd: this.dir,
        env: {
          ...process.env,
          ...this.env,
          EMBARK_EDGE_PORT: String(this.ports.edge),
          EMBARK_WEB_PORT: String(this.ports.web),
          EMBARK_KUBE_PORT: String(this.ports.kube),
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    const index = this.log.push("") - 1;
    const collect = (d: Buffer) => {
      output += d;
      this.log[index] = output;
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    let killed = false;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    return {
      child,
      output: () => output,
      exitedByItself: () => child.exitCode !== null && !killed,
      kill: async () => {
        killed = true;
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        await exited;
      },
    };
  }

  /** Health of both the edge and the web server: 200 only once every store is reloaded and wired. */
  async healthy(): Promise<boolean> {
    try {
      const [edge, web] = await Promise.all([
        fetch(`${this.edge}/_embark/health`, { signal: AbortSignal.timeout(2000) }),
        fetch(`${this.web}/health`, { signal: AbortSignal.timeout(2000) }),
      ]);
      await Promise.all([edge.arrayBuffer(), web.arrayBuffer()]);
      return edge.status === 200 && web.status === 200;
    } catch {
      return false;
    }
  }

  /** Spawns and waits until healthy; throws with the output when the process exits on its own or hangs. */
  async start(timeoutMs = 180_000): Promise<Run> {
    const run = this.spawn();
    const deadline = Date.now() + timeoutMs;
    while (!(await this.healthy())) {
      if (run.exitedByItself()) throw new Error(`npm start exited on its own:\n${run.output()}`);
      if (Date.now() > deadline) {
        await run.kill();
        throw new Error(`npm start was not healthy after ${timeoutMs} ms:\n${run.output()}`);
      }
      await sleep(100);
    }
    return run;
  }
}
