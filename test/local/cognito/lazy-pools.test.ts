/** User pools loaded on demand into a small cache: evicted pools are found again, once, with their users. */
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolCommand,
  ListUserPoolsCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { flushFile } from "../../../local/aws/state-file.js";
import { AtomicStormDbDataStoreFactory } from "../../../local/cognito/atomic-store.js";
import { type CognitoServiceLike, LazyUserPools } from "../../../local/cognito/lazy-pools.js";
import type { LocalUser } from "../../../local/cognito/services.js";
import { startCognito } from "../../../local/emulators/cognito.js";
import type { RunningEmulator } from "../../../local/emulators/types.js";

const require = createRequire(import.meta.url);
const { CognitoServiceImpl } = require("cognito-local/lib/services/cognitoService");
const { DateClock } = require("cognito-local/lib/services");
const { UserPoolServiceFactoryImpl } = require("cognito-local/lib/services/userPoolService");

const logger = { debug: () => undefined, warn: () => undefined, error: () => undefined };
const ctx = { logger };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "cognito-lazy-"));
});

describe("LazyUserPools (cognito-local's services, no server)", () => {
  /** The services as local/emulators/cognito.ts assembles them, over `dir`, with a cache of two pools. */
  async function services(): Promise<CognitoServiceLike> {
    const stores = new AtomicStormDbDataStoreFactory(dir);
    const service = new CognitoServiceImpl(
      dir,
      await stores.create(ctx, "clients", { Clients: {} }),
      {},
      new UserPoolServiceFactoryImpl(new DateClock(), stores),
    ) as CognitoServiceLike;
    new LazyUserPools(service, 2).install();
    return service;
  }

  it("an evicted pool still held by a request is that same instance; concurrent loads share one", async () => {
    const cognito = await services();
    await cognito.createUserPool(ctx, { Id: "local_a", Name: "a" });
    const a = await cognito.getUserPool(ctx, "local_a");
    await cognito.createUserPool(ctx, { Id: "local_b", Name: "b" });
    await cognito.createUserPool(ctx, { Id: "local_c", Name: "c" });
    // Out of the cache (two pools), but `a` still holds it: no second copy is loaded.
    expect(await cognito.getUserPool(ctx, "local_a")).toBe(a);

    // A fresh start knows no pool: two requests at once for one on disk get one instance.
    const again = await services();
    const [x, y] = await Promise.all([again.getUserPool(ctx, "local_b"), again.getUserPool(ctx, "local_b")]);
    expect(x).toBe(y);
    expect(x.options.Name).toBe("b");
  });

  it("no pool for a path or for the clients document", async () => {
    const cognito = await services();
    for (const id of ["clients", "../clients", ""]) {
      await expect(cognito.getUserPool(ctx, id)).rejects.toMatchObject({ code: "ResourceNotFoundException" });
    }
  });

  it("loading a pool does not rewrite its file", async () => {
    const cognito = await services();
    await cognito.createUserPool(ctx, { Id: "local_a", Name: "a" });
    const pool = (await cognito.getUserPool(ctx, "local_a")) as unknown as {
      saveUser(c: unknown, u: LocalUser): Promise<void>;
    };
    const now = new Date();
    await pool.saveUser(ctx, {
      Username: "ann@example.com",
      Attributes: [{ Name: "email", Value: "ann@example.com" }],
      Enabled: true,
      UserStatus: "CONFIRMED",
      UserCreateDate: now,
      UserLastModifiedDate: now,
    });
    const file = join(dir, "local_a.json");
    await flushFile(file);
    const before = await stat(file);

    const loaded = await (await services()).getUserPool(ctx, "local_a");
    await flushFile(file);
    expect(loaded.options.Name).toBe("a");
    const after = await stat(file);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.ino).toBe(before.ino);
  });
});

describe("the Cognito emulator with a cache of two pools", () => {
  let cognito: RunningEmulator | undefined;
  afterEach(async () => {
    await cognito?.stop();
    cognito = undefined;
  });

  async function start(): Promise<CognitoIdentityProviderClient> {
    await cognito?.stop();
    cognito = await startCognito(dir, "http://127.0.0.1:1", 2);
    return new CognitoIdentityProviderClient({
      endpoint: cognito.url,
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    });
  }
  const db = () => join(dir, "db");
  const poolFile = (id: string) => join(db(), `${id}.json`);

  async function createPools(client: CognitoIdentityProviderClient, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const made = await client.send(new CreateUserPoolCommand({ PoolName: `pool${i}` }));
      ids.push(made.UserPool!.Id!);
    }
    return ids;
  }

  it("a pool pushed out of the cache keeps its users, and a change made after is there after a restart", async () => {
    let client = await start();
    const [first] = await createPools(client, 1);
    await client.send(
      new AdminCreateUserCommand({
        UserPoolId: first,
        Username: "ann@example.com",
        MessageAction: "SUPPRESS",
      }),
    );
    const others = await createPools(client, 4);
    expect(others).toHaveLength(4);

    const got = await client.send(
      new AdminGetUserCommand({ UserPoolId: first, Username: "ann@example.com" }),
    );
    expect(got.UserAttributes).toContainEqual({ Name: "email", Value: "ann@example.com" });
    await client.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: first,
        Username: "ann@example.com",
        UserAttributes: [{ Name: "given_name", Value: "Ann" }],
      }),
    );

    client = await start();
    const after = await client.send(
      new AdminGetUserCommand({ UserPoolId: first, Username: "ann@example.com" }),
    );
    expect(after.UserAttributes).toContainEqual({ Name: "given_name", Value: "Ann" });
  });

  it("ListUserPools lists every pool on disk, loaded or not", async () => {
    let client = await start();
    const ids = await createPools(client, 5);
    const listed = await client.send(new ListUserPoolsCommand({ MaxResults: 60 }));
    expect(listed.UserPools?.map((p) => p.Id).sort()).toEqual([...ids].sort());

    client = await start();
    const again = await client.send(new ListUserPoolsCommand({ MaxResults: 60 }));
    expect(again.UserPools?.map((p) => [p.Id, p.Name]).sort()).toEqual(
      ids.map((id, i) => [id, `pool${i}`]).sort(),
    );
  });

  it("a pool whose file is gone is not found", async () => {
    let client = await start();
    const [id] = await createPools(client, 1);
    await flushFile(poolFile(id!));
    client = await start();
    await rm(poolFile(id!));
    await expect(client.send(new DescribeUserPoolCommand({ UserPoolId: id }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      message: `User Pool ${id} not found`,
    });
  });

  it("DeleteUserPool: the pool is not found after, and its file stays gone", async () => {
    const client = await start();
    const [id, other] = await createPools(client, 2);
    await client.send(
      new AdminCreateUserCommand({ UserPoolId: id, Username: "bob@example.com", MessageAction: "SUPPRESS" }),
    );
    await client.send(new DeleteUserPoolCommand({ UserPoolId: id }));
    await expect(client.send(new DescribeUserPoolCommand({ UserPoolId: id }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
    await flushFile(poolFile(id!));
    expect(await readdir(db())).not.toContain(`${id}.json`);
    const listed = await client.send(new ListUserPoolsCommand({ MaxResults: 60 }));
    expect(listed.UserPools?.map((p) => p.Id)).toEqual([other]);
  });

  it("reading a pool after a restart leaves its file as it was", async () => {
    let client = await start();
    const [id] = await createPools(client, 1);
    await client.send(
      new AdminCreateUserCommand({ UserPoolId: id, Username: "cy@example.com", MessageAction: "SUPPRESS" }),
    );
    await flushFile(poolFile(id!));
    const before = await stat(poolFile(id!));
    const text = await readFile(poolFile(id!), "utf8");

    client = await start();
    const described = await client.send(new DescribeUserPoolCommand({ UserPoolId: id }));
    expect(described.UserPool?.Id).toBe(id);
    await client.send(new AdminGetUserCommand({ UserPoolId: id, Username: "cy@example.com" }));
    await flushFile(poolFile(id!));
    expect((await stat(poolFile(id!))).mtimeMs).toBe(before.mtimeMs);
    expect(await readFile(poolFile(id!), "utf8")).toBe(text);
  });
});
