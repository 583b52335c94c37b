/**
 * A local cloud in a child process (process.execPath + tsx) that a test SIGKILLs at a moment of its choosing and
 * starts again on the same state directory, as `kill -9` and the next `npm start` would; also for tests that
 * need a cloud of their own (its output, its environment, its state files). The program is `npm start`'s
 * (local/main.ts, Embark mounted) or test/support/cloud-child.ts: the fixture functions on a bare cloud, or
 * Embark with short Step Functions retries.
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { Endpoints } from "../../local/cloud.js";
import { waitFor } from "./wait.js";

const ROOT = join(import.meta.dirname, "../..");
const PROGRAMS = {
  "npm-start": { file: join(ROOT, "local/main.ts"), ready: "Press Ctrl-C to stop." },
  fixtures: { file: join(import.meta.dirname, "cloud-child.ts"), ready: "CLOUD-CHILD-READY" },
  embark: { file: join(import.meta.dirname, "cloud-child.ts"), ready: "CLOUD-CHILD-READY" },
};
/** Output kept in memory per run when everything also goes to a log file (a long soak prints a lot). */
const KEEP_WITH_LOG_FILE = 200_000;
/** Children still running: killed if this process exits first (a test run stopped half-way leaves none). */
const running = new Set<ChildProcessByStdio<null, Readable, Readable>>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

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

export interface CloudProcessOptions {
  /** What runs (default "npm-start"); "fixtures" and "embark" run test/support/cloud-child.ts. */
  program?: keyof typeof PROGRAMS;
  /** Added to this process's environment (also settable later, between runs). */
  env?: NodeJS.ProcessEnv;
  /** Ports picked once and kept at every start, as a developer's next `npm start` would; else free ones each time. */
  samePorts?: boolean;
  /** Everything the process prints is appended to `logFile` (<dir>/cloud.log) too. */
  logFile?: boolean;
}

export interface Run {
  child: ChildProcessByStdio<null, Readable, Readable>;
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** Whether the process ended on its own (not by our kill). */
  exitedByItself(): boolean;
}

export class CloudProcess {
  /** The current run's endpoints (ports change at each start unless `samePorts`). */
  endpoints = {} as Endpoints;
  env: NodeJS.ProcessEnv;
  /** Every run's output, in order. */
  readonly runs: string[] = [];
  starts = 0;
  private current?: Run;
  private killed = false;
  private log?: WriteStream;

  private constructor(
    readonly dir: string,
    readonly ports: Ports | undefined,
    private readonly opts: CloudProcessOptions,
  ) {
    this.env = opts.env ?? {};
  }

  /** A fresh temporary directory; nothing runs until `start()` or `spawn()`. */
  static async create(opts: CloudProcessOptions = {}): Promise<CloudProcess> {
    const dir = await mkdtemp(join(tmpdir(), `embark-${opts.program ?? "npm-start"}-`));
    const ports = opts.samePorts
      ? { edge: await freePort(), web: await freePort(), kube: await freePort() }
      : undefined;
    return new CloudProcess(dir, ports, opts);
  }

  /** Where the cloud keeps its state (`npm start`'s .local/ in its working directory). */
  get stateDir(): string {
    return join(this.dir, ".local");
  }

  get logFile(): string {
    return join(this.dir, "cloud.log");
  }

  /** What the fixture functions record, one JSON line per call; `<file>.gate` opens their gate. */
  get sideEffectsFile(): string {
    return join(this.dir, "side-effects.jsonl");
  }

  output(): string {
    return this.runs.join("");
  }

  /** Starts the program without waiting for it (no --fresh: earlier runs' state is kept unless `fresh`). */
  spawn({ fresh = false } = {}): Run {
    const program = PROGRAMS[this.opts.program ?? "npm-start"];
    const args =
      program.file === PROGRAMS["npm-start"].file
        ? [...(fresh ? ["--fresh"] : [])]
        : [this.stateDir, this.sideEffectsFile];
    const port = (p: keyof Ports) => String(this.ports?.[p] ?? 0);
    const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), program.file, ...args], {
      cwd: this.dir,
      env: {
        ...process.env,
        ...this.env,
        ...(this.opts.program === "embark" ? { EMBARK_CHILD_MOUNT: "1" } : {}),
        EMBARK_EDGE_PORT: port("edge"),
        EMBARK_WEB_PORT: port("web"),
        EMBARK_KUBE_PORT: port("kube"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (this.opts.logFile) this.log ??= createWriteStream(this.logFile, { flags: "a" });
    const index = this.runs.push("") - 1;
    const collect = (d: Buffer) => {
      this.log?.write(d);
      const kept = this.runs[index] + d.toString("utf8");
      this.runs[index] = this.log ? kept.slice(-KEEP_WITH_LOG_FILE) : kept;
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    this.killed = false;
    this.starts++;
    running.add(child);
    const exited = new Promise<number | null>((resolve) =>
      child.once("exit", (code) => {
        running.delete(child);
        resolve(code);
      }),
    );
    this.current = {
      child,
      output: () => this.runs[index] ?? "",
      exited,
      exitedByItself: () => child.exitCode !== null && !this.killed,
    };
    return this.current;
  }

  /** Spawns and waits until ready; throws with the output if it exits on its own or hangs. */
  async start({ fresh = false, timeoutMs = 150_000 } = {}): Promise<Endpoints> {
    const run = this.spawn({ fresh });
    const ready = PROGRAMS[this.opts.program ?? "npm-start"].ready;
    try {
      await waitFor(
        "the local cloud to start",
        async () => {
          if (run.output().includes(ready)) return true;
          if (run.child.exitCode !== null) throw new Error("it exited on its own");
          return undefined;
        },
        { timeoutMs, intervalMs: 20 },
      );
    } catch (err) {
      await this.kill();
      throw new Error(`${(err as Error).message}:\n${run.output()}`);
    }
    this.endpoints = JSON.parse(await readFile(join(this.stateDir, "endpoints.json"), "utf8"));
    return this.endpoints;
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed; resolves once the process is gone. */
  async kill(): Promise<void> {
    const run = this.current;
    if (!run) return;
    this.killed = true;
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill("SIGKILL");
    await run.exited;
  }

  /** Ctrl-C (SIGINT), SIGKILL after 15 s; resolves with the exit code (null if it had to be killed). */
  async stop(): Promise<number | null> {
    const run = this.current;
    let code: number | null = null;
    if (run && run.child.exitCode === null && run.child.signalCode === null) {
      run.child.kill("SIGINT");
      code = await Promise.race([run.exited, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    } else if (run) code = run.child.exitCode;
    await this.kill();
    await this.closeLog();
    return code;
  }

  /** SIGKILLs the process and removes the directory (kept with `keep`, to look into a failure). */
  async dispose({ keep = false } = {}): Promise<void> {
    await this.kill();
    await this.closeLog();
    if (!keep) await rm(this.dir, { recursive: true, force: true });
  }

  private async closeLog(): Promise<void> {
    await new Promise<void>((r) => (this.log ? this.log.end(() => r()) : r()));
    this.log = undefined;
  }

  /** The fixture functions' records, parsed. */
  async sideEffects(): Promise<Array<Record<string, unknown>>> {
    const text = await readFile(this.sideEffectsFile, "utf8").catch(() => "");
    return text
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l));
  }

  /** Polls `check` until it gives a value; on timeout throws with `what` and the cloud's last output. */
  async until<T>(what: string, check: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
    try {
      return await waitFor(what, check, { timeoutMs: ms, intervalMs: 50 });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${this.output().slice(-3000)}`);
    }
  }
}
