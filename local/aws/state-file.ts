import { mkdir, open, readFile, rename } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Atomic, durable state files for the local services. A write goes to a temporary file, which is fsync'd,
 * renamed over the target, and the directory fsync'd: a kill or power loss at any instant leaves the old or
 * the new content, never a mix. Writes to one path are serialized within this process (whatever object made
 * them), so two writers never race on one temporary file.
 */

const queues = new Map<string, Promise<void>>();

/** Runs `fn` after every earlier `serializePerFile` call for the same path has settled. */
export function serializePerFile<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const prev = queues.get(path) ?? Promise.resolve();
  const run = prev.catch(() => undefined).then(fn);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(path, tail);
  void tail.then(() => {
    if (queues.get(path) === tail) queues.delete(path);
  });
  return run;
}

/** fsyncs a directory so a rename or a new file in it survives a power loss (a no-op where unsupported). */
export async function fsyncDir(dir: string): Promise<void> {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(dir, "r");
    await fh.sync();
  } catch (err) {
    // Some filesystems refuse fsync on a directory (EISDIR/EINVAL/EPERM); the rename is still atomic there.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EINVAL" && code !== "EPERM" && code !== "EBADF") throw err;
  } finally {
    await fh?.close();
  }
}

/** Writes `data` to `path` atomically and durably (temp file, fsync, rename, fsync dir), serialized per path. */
export function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  return serializePerFile(path, async () => {
    const dir = dirname(path);
    await mkdir(dir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    const fh = await open(tmp, "w");
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    await fsyncDir(dir);
  });
}

/**
 * Moves a damaged state file aside to `<file>.damaged-<timestamp>` and says which file it was and what it held,
 * so the service starts with the rest of its state instead of refusing to start. Returns the new path.
 */
export async function setAsideDamaged(path: string, text: string, why: string): Promise<string> {
  const aside = `${path}.damaged-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  await rename(path, aside);
  await fsyncDir(dirname(path));
  const excerpt = text.length > 200 ? `${text.slice(0, 100)} … ${text.slice(-100)}` : text;
  console.error(
    `[state] ${path} is damaged (${why}); moved aside to ${aside}, starting without it. ` +
      `It held ${text.length} bytes: ${JSON.stringify(excerpt)}`,
  );
  return aside;
}

/**
 * Reads a JSON state file. Missing → undefined. Unparseable → moved aside (see `setAsideDamaged`) → undefined.
 */
export async function readJsonState<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    await setAsideDamaged(path, text, err instanceof Error ? err.message : String(err));
    return undefined;
  }
}

/**
 * One JSON file holding a local service's state: read once at start, rewritten whole on change
 * (see `writeFileAtomic`). A file that cannot be parsed at start is set aside and reads as absent.
 */
export class StateFile<T> {
  private writing: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  read(): Promise<T | undefined> {
    return readJsonState<T>(this.path);
  }

  /** Resolves when this state is on disk. */
  write(state: T): Promise<void> {
    const text = `${JSON.stringify(state, null, 2)}\n`;
    this.writing = writeFileAtomic(this.path, text);
    return this.writing;
  }

  async flush(): Promise<void> {
    await this.writing.catch(() => undefined);
  }
}
