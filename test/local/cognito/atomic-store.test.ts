/** cognito-local's data stores through the atomic StormDB engine, and damaged files at start. */
import { appendFile, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushFile } from "../../../local/aws/state-file.js";
import { AtomicStormDbDataStoreFactory, quarantineDamaged } from "../../../local/cognito/atomic-store.js";

interface Store {
  set(ctx: unknown, key: string | string[], value: unknown): Promise<void>;
  get(ctx: unknown, key: string | string[]): Promise<unknown>;
}
const ctx = { logger: { debug: () => undefined } };

let dir: string;
let warn: ReturnType<typeof vi.spyOn>;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "cognito-db-"));
  warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
});
afterEach(() => warn.mockRestore());

describe("AtomicStormDbDataStoreFactory", () => {
  it("concurrent sets leave one whole document holding every record, dates as ISO strings", async () => {
    const store = (await new AtomicStormDbDataStoreFactory(dir).create(ctx, "clients", {
      Clients: {},
    })) as Store;
    const when = new Date("2026-12-01T00:00:00Z");
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        store.set(ctx, ["Clients", `c${i}`], {
          ClientId: `c${i}`,
          CreationDate: when,
          pad: "x".repeat(i * 13),
        }),
      ),
    );
    // One line per client in the log, not 40 rewrites of the whole document.
    const log = (await readFile(join(dir, "clients.jsonl"), "utf8")).trim().split("\n");
    expect(log).toHaveLength(40);
    expect(JSON.parse(log.find((l) => l.includes('"c7"'))!).client.CreationDate).toBe(
      "2026-12-01T00:00:00.000Z",
    );
    // Read back through a new factory (a restart): dates revive as Dates; the log is folded into the document.
    const again = (await new AtomicStormDbDataStoreFactory(dir).create(ctx, "clients", {
      Clients: {},
    })) as Store & { delete(ctx: unknown, key: string[]): Promise<void> };
    expect(((await again.get(ctx, ["Clients", "c7"])) as { CreationDate: Date }).CreationDate).toEqual(when);
    await again.delete(ctx, ["Clients", "c3"]);
    await flushFile(join(dir, "clients.json"));
    const disk = JSON.parse(await readFile(join(dir, "clients.json"), "utf8"));
    expect(Object.keys(disk.Clients)).toHaveLength(40);
    expect((await readdir(dir)).sort()).toEqual(["clients.json", "clients.jsonl"]);
    // A delete is a line too; a torn last line (a kill mid-append) is skipped at the next start.
    await appendFile(join(dir, "clients.jsonl"), '{"id":"c9","client":{"ClientId":"c9","tor');
    const third = (await new AtomicStormDbDataStoreFactory(dir).create(ctx, "clients", {
      Clients: {},
    })) as Store;
    const clients = (await third.get(ctx, "Clients")) as Record<string, { ClientId: string }>;
    expect(Object.keys(clients)).toHaveLength(39);
    expect(clients.c3).toBeUndefined();
    expect(clients.c9?.ClientId).toBe("c9");
  });

  it("a damaged file is moved aside at load and the store starts from its defaults", async () => {
    await writeFile(join(dir, "clients.json"), '{"Clients":{}}\n"ClientId":"x"}}}');
    const store = (await new AtomicStormDbDataStoreFactory(dir).create(ctx, "clients", {
      Clients: {},
    })) as Store;
    expect(await store.get(ctx, "Clients")).toEqual({});
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/clients\.json is damaged.*app-client records are lost/);
  });
});

describe("quarantineDamaged", () => {
  it("moves torn pool files aside (so they are not listed as empty pools) and keeps whole ones", async () => {
    await writeFile(join(dir, "clients.json"), '{"Clients":{}}');
    await writeFile(join(dir, "us-east-1_good.json"), '{"Users":{},"Options":{"Id":"us-east-1_good"}}');
    await writeFile(join(dir, "us-east-1_torn.json"), '{"Users":{"a":{"Password":"hunter2","Userna');
    expect(await quarantineDamaged(dir)).toEqual(["us-east-1_torn.json"]);
    const files = (await readdir(dir)).sort();
    expect(files.filter((f) => f.endsWith(".json"))).toEqual(["clients.json", "us-east-1_good.json"]);
    expect(files.some((f) => f.startsWith("us-east-1_torn.json.damaged-"))).toBe(true);
    const line = String(warn.mock.calls[0]?.[0]);
    expect(line).toContain("user pool us-east-1_torn and its users are lost");
    expect(line).not.toContain("hunter2");
  });
});
