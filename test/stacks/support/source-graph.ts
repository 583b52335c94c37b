/** The repo's own modules a function loads (relative imports, followed from functions/<file>.ts). */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../../..");

const IMPORT = /(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"|import\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g;

/** Repo-relative paths of every module reachable from `entry` (repo-relative too), entry included. */
export function reachableModules(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [resolve(ROOT, entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]!;
      const target = join(dirname(file), spec.replace(/\.js$/, ".ts"));
      if (existsSync(target)) queue.push(target);
    }
  }
  return [...seen].map((f) => relative(ROOT, f)).sort();
}

/** Environment variables a set of modules reads: `requireEnv("X")`, `env.X`, `process.env.X`. */
export function environmentVariablesRead(files: string[]): Set<string> {
  const names = new Set<string>();
  for (const file of files) {
    const text = readFileSync(resolve(ROOT, file), "utf8");
    for (const m of text.matchAll(/requireEnv\(\s*"([A-Z][A-Z0-9_]*)"/g)) names.add(m[1]!);
    for (const m of text.matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)) names.add(m[1]!);
  }
  return names;
}
