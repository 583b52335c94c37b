/** cognito-local over damaged state: it starts with the rest, and its writes are whole files. */

import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
  ListUserPoolsCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterEach, expect, it, vi } from "vitest";
import { startCognito } from "../../../local/emulators/cognito.js";
import type { RunningEmulator } from "../../../local/emulators/types.js";

let cognito: RunningEmulator | undefined;
afterEach(async () => {
  await cognito?.stop();
  vi.restoreAllMocks();
});

it("starts over a torn clients.json and a torn pool file, keeping the whole pools", async () => {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
  const dir = await mkdtemp(join(tmpdir(), "cognito-"));
  const db = join(dir, "db");
  await mkdir(db, { recursive: true });
  // What issue 10 found after a kill: a whole document followed by a stray fragment of another.
  await writeFile(join(db, "clients.json"), '{"Clients":{}}\n  "UserPoolId":"us-east-1_x"}}}');
  await writeFile(
    join(db, "us-east-1_good.json"),
    JSON.stringify({ Users: {}, Options: { Id: "us-east-1_good", Name: "good" } }),
  );
  await writeFile(join(db, "us-east-1_torn.json"), '{"Users":{},"Options":{"Id":"us-e');

  cognito = await startCognito(dir, "http://127.0.0.1:1");
  const client = new CognitoIdentityProviderClient({
    endpoint: cognito.url,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  const pools = await client.send(new ListUserPoolsCommand({ MaxResults: 60 }));
  expect(pools.UserPools?.map((p) => p.Id)).toEqual(["us-east-1_good"]);
  const logged = warn.mock.calls.map((c) => String(c[0])).join("\n");
  expect(logged).toMatch(/clients\.json is damaged: it holds a complete JSON document .* stray bytes/);
  expect(logged).toMatch(/us-east-1_torn\.json is damaged/);

  // A pool created then deleted at once: the save queued for it does not bring its file back.
  const made = await client.send(new CreateUserPoolCommand({ PoolName: "brief" }));
  await client.send(new DeleteUserPoolCommand({ UserPoolId: made.UserPool!.Id! }));
  const files = await readdir(db);
  expect(files).not.toContain(`${made.UserPool!.Id}.json`);
  expect(JSON.parse(await readFile(join(db, "clients.json"), "utf8"))).toEqual({ Clients: {} });
});
