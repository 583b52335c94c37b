import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lambdaCodeFromEnv, stageTaskRoots, taskRootFiles } from "../../../local/lambda/bundle-loader.js";

// A bundle that counts its own module instances and reads a file beside itself, as some packages do.
const BUNDLE = `
import { readFileSync } from "node:fs";
let instances = (globalThis.__instances ??= 0);
globalThis.__instances = ++instances;
const mine = instances;
export const handler = async () => ({ instance: mine, beside: readFileSync(new URL("./data.txt", import.meta.url), "utf8") });
export const other = async () => "other";
`;

describe("stageTaskRoots", () => {
  let bundles: string;
  beforeEach(async () => {
    bundles = await mkdtemp(join(tmpdir(), "embark-bundles-test-"));
    for (const name of ["a", "b"]) {
      await mkdir(join(bundles, name));
      await writeFile(join(bundles, name, "index.mjs"), BUNDLE);
      await writeFile(join(bundles, name, "index.mjs.map"), "{}");
      await writeFile(join(bundles, name, "data.txt"), `data of ${name}`);
    }
  });
  afterEach(() => rm(bundles, { recursive: true, force: true }));

  it("gives each function its own copy without source maps, and a fresh module instance", async () => {
    const roots = await stageTaskRoots(bundles, ["a", "b"]);
    try {
      expect(roots.taskRoot("a")).not.toBe(roots.taskRoot("b"));
      expect(roots.taskRoot("a").startsWith(bundles)).toBe(false);
      expect(await taskRootFiles(roots.taskRoot("a"))).toEqual(["data.txt", "index.mjs"]);
      const a = await (await roots.loader("a", "handler")())({}, {} as never);
      const b = await (await roots.loader("b", "handler")())({}, {} as never);
      expect(a).toMatchObject({ beside: "data of a" });
      expect(b).toMatchObject({ beside: "data of b" });
      expect((a as { instance: number }).instance).not.toBe((b as { instance: number }).instance);
      expect(await (await roots.loader("a", "other")())({}, {} as never)).toBe("other");
    } finally {
      await roots.remove();
    }
    await expect(readFile(join(roots.taskRoot("a"), "index.mjs"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("fails like Lambda when the handler export is missing", async () => {
    const roots = await stageTaskRoots(bundles, ["a"]);
    try {
      await expect(roots.loader("a", "nope")()).rejects.toMatchObject({
        name: "Runtime.HandlerNotFound",
        message: "index.nope is undefined or not exported",
      });
    } finally {
      await roots.remove();
    }
  });

  it("names the missing bundles and the command that builds them", async () => {
    await expect(stageTaskRoots(bundles, ["a", "c", "d"])).rejects.toThrow(
      /no bundle for c, d in .*: run `npm run bundle` first/,
    );
  });
});

describe("lambdaCodeFromEnv", () => {
  it("defaults to the sources, takes bundle, and refuses anything else", () => {
    expect(lambdaCodeFromEnv({})).toBe("source");
    expect(lambdaCodeFromEnv({ EMBARK_LAMBDA_CODE: "bundle" })).toBe("bundle");
    expect(() => lambdaCodeFromEnv({ EMBARK_LAMBDA_CODE: "zip" })).toThrow(/must be "source" or "bundle"/);
  });
});
