import { closeSync, fsyncSync, openSync, readFileSync, renameSync } from "node:fs";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Atomic, per-file serialized writes of local state, and what to do with a file found damaged at start.
 * A write goes to a temporary file in the same directory, is fsynced, renamed over the file and the directory
 * fsynced: a kill (or power cut) at any instant leaves the old or the new content, never a mix. Writes to one
 * path go one at a time; writes queued behind a running one are coalesced into the newest (each is a whole
 * state), and every caller's promise resolves once content at least as new as its own is on disk.
 */

interface Pending {
  data: () => string | Buffer | undefined;
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

interface Lane {
  running: Promise<void> | undefined;
  next: Pending | undefined;
  /** Set by `retire`: the file was deleted on purpose, later writes are dropped so they can't resurrect it. */
  retired: boolean;
}

const lanes = new Map<string, Lane>();
let tmpCounter = 0;

function laneOf(path: string): Lane {
  let lane = lanes.get(path);
  if (!lane) {
    lane = { running: undefined, next: undefined, retired: false };
    lanes.set(path, lane);
  }
  return lane;
}

/**
 * Writes `data` (or what the thunk returns when the write starts: the newest state) to `path` atomically.
 * Resolves when it is durable. A thunk that returns undefined means "the file already holds this": nothing is
 * written.
 */
export function writeFileAtomic(
  path: string,
  data: string | Buffer | (() => string | Buffer | undefined),
  opts: { mode?: number } = {},
): Promise<void> {
  const lane = laneOf(path);
  const thunk = typeof data === "function" ? data : () => data;
  if (lane.retired) return Promise.resolve();
  if (lane.next) {
    lane.next.data = thunk;
    return lane.next.promise;
  }
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  lane.next = { data: thunk, promise, resolve, reject };
  if (!lane.running) drain(path, lane, opts.mode);
  return promise;
}

function drain(path: string, lane: Lane, mode: number | undefined): void {
  const job = lane.next;
  if (!job) {
    lane.running = undefined;
    if (!lane.retired) lanes.delete(path);
    return;
  }
  lane.next = undefined;
  lane.running = (async () => {
    try {
      const data = lane.retired ? undefined : job.data();
      if (data !== undefined) await replaceFile(path, data, mode);
      job.resolve();
    } catch (e) {
      job.reject(e);
    }
  })().then(() => drain(path, lane, mode));
}

async function replaceFile(path: string, data: string | Buffer, mode: number | undefined): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  // Unique per write and not ending in the file's extension (cognito-local lists `*.json` as pools).
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${++tmpCounter}.tmp`);
  const fh = await open(tmp, "w", mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  await fsyncDir(dir);
}

/** fsyncs a directory, so a rename or a new file in it survives a power cut. */
export async function fsyncDir(dir: string): Promise<void> {
  const dh = await open(dir, "r");
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

/** Resolves once every write of `path` queued before the call is done (later ones are not waited for). */
export async function flushFile(path: string): Promise<void> {
  const lane = lanes.get(path);
  await (lane?.next?.promise ?? lane?.running)?.catch(() => undefined);
}

/**
 * Before deleting `path` on purpose: waits for its queued writes and drops any later ones, so a write that
 * was in flight can't bring the file back.
 */
export async function retireFile(path: string): Promise<void> {
  laneOf(path).retired = true;
  await flushFile(path);
}

/** What a damaged state file held, and where it was moved. */
export interface DamagedFile {
  path: string;
  movedTo: string;
  bytes: number;
  /** E.g. "a complete JSON document (812 bytes) followed by 97 stray bytes". */
  holds: string;
  /** A short excerpt around the damage, with values of secret-looking keys masked. */
  excerpt: string;
}

/** Why a state file could not be parsed, said so a person can tell what happened. */
export function describeDamage(text: string): { holds: string; excerpt: string } {
  const bytes = Buffer.byteLength(text);
  if (text.replace(/[\s\0]/g, "") === "")
    return { holds: `no JSON, only ${bytes} bytes of whitespace or zeros`, excerpt: "" };
  let at: number;
  try {
    JSON.parse(text);
    return { holds: "valid JSON", excerpt: "" };
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    at = m ? Number(m[1]) : text.length;
  }
  let holds = `${bytes} bytes that are not one JSON document (unreadable from character ${at})`;
  if (at >= text.trimEnd().length) holds = `a JSON document cut off after ${bytes} bytes`;
  else if (at > 0) {
    try {
      JSON.parse(text.slice(0, at));
      const head = Buffer.byteLength(text.slice(0, at));
      holds = `a complete JSON document (${head} bytes) followed by ${bytes - head} stray bytes`;
    } catch {
      // Damaged inside the document: the generic description stands.
    }
  }
  const from = Math.max(0, at - 40);
  const to = Math.min(text.length, at + 60);
  const excerpt = maskSecrets(text.slice(from, to)).replace(/\s+/g, " ");
  return { holds, excerpt: `${from > 0 ? "…" : ""}${excerpt}${to < text.length ? "…" : ""}` };
}

const SECRET_KEY = /("[^"]*(?:password|secret|token|code|key)[^"]*"\s*:\s*)"[^"]*"?/gi;
function maskSecrets(s: string): string {
  return s.replace(SECRET_KEY, '$1"***"');
}

function quarantinePath(path: string): string {
  return `${path}.damaged-${new Date().toISOString().replace(/[:.]/g, "-")}`;
}

function report(service: string, d: DamagedFile, consequence?: string): void {
  console.warn(
    `[${service}] state file ${d.path} is damaged: it holds ${d.holds}. Moved aside to ${basename(d.movedTo)}; ` +
      `starting without it${consequence ? ` (${consequence})` : ""}. Excerpt: ${JSON.stringify(d.excerpt)}`,
  );
}

/** Moves a damaged `path` aside as `<path>.damaged-<timestamp>` and logs what it held. */
export async function quarantine(
  path: string,
  text: string,
  service: string,
  consequence?: string,
): Promise<DamagedFile> {
  const movedTo = quarantinePath(path);
  await rename(path, movedTo);
  await fsyncDir(dirname(path));
  const d: DamagedFile = { path, movedTo, bytes: Buffer.byteLength(text), ...describeDamage(text) };
  report(service, d, consequence);
  return d;
}

/** The synchronous form, for engines that load synchronously (StormDB). */
export function quarantineSync(
  path: string,
  text: string,
  service: string,
  consequence?: string,
): DamagedFile {
  const movedTo = quarantinePath(path);
  renameSync(path, movedTo);
  const fd = openSync(dirname(path), "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const d: DamagedFile = { path, movedTo, bytes: Buffer.byteLength(text), ...describeDamage(text) };
  report(service, d, consequence);
  return d;
}

/** A file's text, or undefined when it doesn't exist; other errors are thrown. */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/**
 * Reads a JSON state file: undefined when it doesn't exist, or when it is damaged (then it is moved aside and
 * logged, and the caller starts without it).
 */
export async function readJsonState<T>(
  path: string,
  service = basename(dirname(path)),
  opts: { consequence?: string; reviver?: (key: string, value: unknown) => unknown } = {},
): Promise<T | undefined> {
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text, opts.reviver) as T;
  } catch {
    await quarantine(path, text, service, opts.consequence);
    return undefined;
  }
}

/** The synchronous form of `readJsonState`; `onText` sees the text of a file that parsed. */
export function readJsonStateSync<T>(
  path: string,
  service = basename(dirname(path)),
  opts: {
    consequence?: string;
    reviver?: (key: string, value: unknown) => unknown;
    onText?: (text: string) => void;
  } = {},
): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  try {
    const parsed = JSON.parse(text, opts.reviver) as T;
    opts.onText?.(text);
    return parsed;
  } catch {
    quarantineSync(path, text, service, opts.consequence);
    return undefined;
  }
}

/**
 * One JSON file holding a local service's state: read once at start (a damaged file is moved aside and the
 * service starts empty), rewritten whole and atomically on change, one write at a time.
 */
export class StateFile<T> {
  constructor(
    readonly path: string,
    private readonly service = basename(dirname(path)),
  ) {}

  read(): Promise<T | undefined> {
    return readJsonState<T>(this.path, this.service);
  }

  /** Resolves when this state (or a newer one) is on disk. */
  write(state: T): Promise<void> {
    const text = `${JSON.stringify(state, null, 2)}\n`;
    return writeFileAtomic(this.path, text);
  }

  flush(): Promise<void> {
    return flushFile(this.path);
  }
}
