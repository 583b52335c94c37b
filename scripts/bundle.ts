/**
 * `npm run bundle`: one bundle per function of the app manifest (core/app/manifest.ts), built the way SST builds
 * it for AWS, so the local cloud and the tests can run the artifact that deploys (docs/deploy.md). Writes
 *   dist/functions/<name>/index.mjs       what goes into the function's zip (its LAMBDA_TASK_ROOT)
 *   dist/functions/<name>/index.mjs.map   the source map SST keeps out of the zip (it uploads it separately)
 *   dist/meta/<name>.json                 esbuild's metafile: every input and its bytes in the bundle
 * and prints each bundle's size. `npm run bundle -- --analyze` also prints what makes up each bundle.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { analyzeMetafile, type BuildOptions, build, type Metafile } from "esbuild";
import { BUNDLES_DIR, functionModule } from "../core/app/function-spec.js";
import { FUNCTION_NAMES } from "../core/app/manifest.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const DIST = join(ROOT, "dist");
export const FUNCTIONS_DIR = join(ROOT, BUNDLES_DIR);
export const META_DIR = join(DIST, "meta");
/** The file in a function's dir that Lambda loads: its handler is `index.<export>`. */
export const BUNDLE_FILE = "index.mjs";

/** The SST version whose build the options below copy (package.json pins `sst`; check on upgrade). */
export const SST_VERSION = "4.17.1";

/**
 * The esbuild options SST 4.17.1 uses to build a `nodejs22.x` function deployed with no `nodejs` settings (as
 * stacks/functions.ts deploys them). SST builds Node.js functions in its Go CLI (pkg/runtime/node/build.go,
 * shipped compiled in node_modules/sst-linux-x64/bin/sst; the banner below is a string in that binary):
 * - ESM (`.mjs`), platform node, bundle everything, keepNames (error and class names survive);
 * - target `es2023`: SST maps the runtime to an ES version (nodejs22.x → es2023), not to `node22`;
 * - mainFields module, main;
 * - external: only `sharp` and `pg-native` (plus `nodejs.install`, which we don't set). The AWS SDK v3 is NOT
 *   external: SST bundles it, so the runtime's own copy in /var/runtime is never used;
 * - a banner that gives CommonJS code inside the ESM bundle `require`, `__filename` and `__dirname`;
 * - a linked source map, left out of the zip (SST uploads it for its console), so `index.mjs` ends with a
 *   `sourceMappingURL` comment whose file is not deployed;
 * - minify only when `nodejs.minify` is true: SST's Go side reads it as a plain bool, so unset means false
 *   (SST's docs say "default true"; the code it runs doesn't).
 */
export function sstBuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    platform: "node",
    format: "esm",
    target: "es2023",
    bundle: true,
    keepNames: true,
    mainFields: ["module", "main"],
    external: ["sharp", "pg-native"],
    sourcemap: "linked",
    minify: false,
    metafile: true,
    write: true,
    logLevel: "silent",
    banner: {
      js: [
        `import { createRequire as topLevelCreateRequire } from 'module';`,
        `const require = topLevelCreateRequire(import.meta.url);`,
        `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
        `const __filename = topLevelFileUrlToPath(import.meta.url)`,
        `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
        "",
      ].join("\n"),
    },
  };
}

export interface BundleReport {
  name: string;
  file: string;
  bytes: number;
  /** What went into this bundle: esbuild's metafile narrowed to its one output. */
  metafile: Metafile;
}

/**
 * Builds each entry (name → source file) into `outDir/<name>/index.mjs` with SST's options, in one esbuild run
 * (shared files are parsed once; without splitting every output is still self-contained, byte for byte what
 * one build per function gives). Fails with esbuild's messages.
 */
export async function bundleEntries(
  entries: Record<string, string>,
  outDir: string,
): Promise<BundleReport[]> {
  await rm(outDir, { recursive: true, force: true });
  const { outfile: _one, entryPoints: _entry, ...options } = sstBuildOptions("", "");
  const result = await build({
    ...options,
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [`${name}/index`, file])),
    outdir: outDir,
    outExtension: { ".js": ".mjs" },
  }).catch((err: { errors?: { text: string; location?: { file: string; line: number } | null }[] }) => {
    const why = err.errors?.map(
      (e) => `${e.text}${e.location ? ` (${e.location.file}:${e.location.line})` : ""}`,
    );
    throw new Error(`bundling failed: ${why?.join("; ") ?? String(err)}`);
  });
  for (const w of result.warnings) {
    console.warn(`esbuild warning: ${w.text}${w.location ? ` (${w.location.file}:${w.location.line})` : ""}`);
  }
  const meta = result.metafile;
  if (!meta) throw new Error("esbuild returned no metafile");
  return Object.keys(entries).map((name) => {
    const file = join(outDir, name, BUNDLE_FILE);
    const key = relative(process.cwd(), file);
    const output = meta.outputs[key];
    if (!output) throw new Error(`esbuild wrote no ${key}`);
    const inputs = Object.fromEntries(
      Object.keys(output.inputs).flatMap((i) => (meta.inputs[i] ? [[i, meta.inputs[i]]] : [])),
    );
    return { name, file, bytes: output.bytes, metafile: { inputs, outputs: { [key]: output } } };
  });
}

/** Bundles every function of the manifest (or `names`) into dist/functions/<name>/, metafiles in dist/meta/. */
export async function bundleFunctions(names: readonly string[] = FUNCTION_NAMES): Promise<BundleReport[]> {
  const entries = Object.fromEntries(names.map((name) => [name, join(ROOT, functionModule(name))]));
  const reports = await bundleEntries(entries, FUNCTIONS_DIR);
  await rm(META_DIR, { recursive: true, force: true });
  await mkdir(META_DIR, { recursive: true });
  for (const r of reports) await writeFile(join(META_DIR, `${r.name}.json`), JSON.stringify(r.metafile));
  return reports;
}

export const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

async function main(): Promise<void> {
  const analyze = process.argv.includes("--analyze");
  const t0 = performance.now();
  const reports = await bundleFunctions();
  const width = Math.max(...reports.map((r) => r.name.length));
  for (const r of reports) {
    console.log(`  ${r.name.padEnd(width)}  ${kib(r.bytes).padStart(9)}  ${relative(ROOT, r.file)}`);
    if (analyze) console.log(await analyzeMetafile(r.metafile, { verbose: false }));
  }
  const total = reports.reduce((s, r) => s + r.bytes, 0);
  console.log(
    `\n  ${reports.length} bundles, ${kib(total)} in all, in ${Math.round(performance.now() - t0)} ms ` +
      `(esbuild options of SST ${SST_VERSION})`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
