/**
 * Runs the soak's local cloud as a child process (test/soak/cloud-child.ts through tsx, process.execPath) on free
 * ports fixed for the whole run, so it can be SIGKILLed and started again on the same state directory. Everything
 * it prints is appended to a log file (the secrets scan reads it).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

export interface SoakEndpoints {
  edge: string;
  web: string;
  kubernetes: string;
  kubeconfig: string;
  stateDir: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export class CloudProcess {
  private child?: ChildProcess;
  private log?: WriteStream;
  private ports?: { edge: number; web: number; kube: number };
  endpoints?: SoakEndpoints;
  starts = 0;

  constructor(
    private readonly dir: string,
    private env: NodeJS.ProcessEnv,
  ) {}

  setEnv(env: NodeJS.ProcessEnv): void {
    this.env = env;
  }

  get logFile(): string {
    return join(this.dir, "cloud.log");
  }

  async start(): Promise<SoakEndpoints> {
    this.ports ??= { edge: await freePort(), web: await freePort(), kube: await freePort() };
    this.log ??= createWriteStream(this.logFile, { flags: "a" });
    const child = spawn(
      process.execPath,
      [
        "--import",
        import.meta.resolve("tsx"),
        join(import.meta.dirname, "cloud-child.ts"),
        join(this.dir, "state"),
      ],
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
    this.child = child;
    this.starts++;
    const log = this.log;
    let ready: (e: SoakEndpoints) => void;
    let failed: (e: Error) => void;
    const up = new Promise<SoakEndpoints>((res, rej) => {
      ready = res;
      failed = rej;
    });
    let buffered = "";
    child.stdout?.on("data", (d: Buffer) => {
      log.write(d);
      buffered += d.toString("utf8");
      const line = buffered.split("\n").find((l) => l.startsWith("EMBARK_SOAK_CLOUD "));
      if (line) ready(JSON.parse(line.slice("EMBARK_SOAK_CLOUD ".length)));
      if (buffered.length > 100_000) buffered = buffered.slice(-10_000);
    });
    child.stderr?.on("data", (d: Buffer) => log.write(d));
    child.once("exit", (code, signal) => failed(new Error(`the local cloud exited (${code ?? signal})`)));
    const timer = setTimeout(() => failed(new Error("the local cloud did not come up in 120 s")), 120_000);
    try {
      this.endpoints = await up;
    } finally {
      clearTimeout(timer);
    }
    return this.endpoints;
  }

  /** SIGKILL: no shutdown hooks, no flush; whatever was in memory is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    await new Promise<void>((r) => (this.log ? this.log.end(() => r()) : r()));
    this.log = undefined;
  }
}
