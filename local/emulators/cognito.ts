// cognito-local: Cognito user pools. We assemble its server the way its createDefaultServer does, but with
// absolute state directories: the stock factory resolves ".cognito" against the process cwd on every write.
// Gaps (see README): usernames become UUIDs in username-by-email pools, no domains/IdPs, wrong password →
// InvalidPasswordException (AWS: NotAuthorizedException) in USER_PASSWORD_AUTH. local/cognito/ adds SRP
// sign-in, per-pool pre-token-generation triggers and Cognito's emails through the local SES.
// Durability: every StormDB file is written atomically, one write per file at a time (local/cognito/atomic-store.ts);
// a file found damaged at start is moved aside and logged, and cognito-local starts with the rest.
// Memory: cognito-local loads every pool at start and keeps them all; here a pool is loaded from its file when a
// request names it and kept in a bounded LRU cache (local/cognito/lazy-pools.ts), so the process does not grow
// with the number of tenants. ListUserPools reads every pool file (AWS pages it; cognito-local never did).
import { mkdir } from "node:fs/promises";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../aws/state-file.js";
import { COGNITO_LOG_REDACTIONS, cognitoAdditions } from "../cognito/additions.js";
import { AtomicStormDbDataStoreFactory, quarantineDamaged } from "../cognito/atomic-store.js";
import { LazyUserPools, POOL_CACHE_SIZE } from "../cognito/lazy-pools.js";
import { backfillPoolTags } from "../cognito/pool-tag-backfill.js";
import { tagIndexFor } from "../tagging/tag-index.js";
import { close } from "./listen.js";
import type { RunningEmulator } from "./types.js";

const require = createRequire(import.meta.url);

export async function startCognito(
  stateDir: string,
  issuerDomain: string,
  poolCacheSize = POOL_CACHE_SIZE,
): Promise<RunningEmulator> {
  const configDir = join(stateDir, "config");
  const dataDir = join(stateDir, "db");
  await mkdir(dataDir, { recursive: true });
  await mkdir(configDir, { recursive: true });
  // Tokens name the edge as issuer so JWKS lookups go through the same endpoint the SDK uses.
  await quarantineDamaged(dataDir);
  await writeFileAtomic(
    join(configDir, "config.json"),
    JSON.stringify({ TokenConfig: { IssuerDomain: issuerDomain } }, null, 2),
  );

  // cognito-local pulls in aws-sdk v2, which prints an end-of-support banner on load.
  process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = "1";
  const lib = "cognito-local/lib";
  const pino = require("pino");
  const { DateClock, TriggersService, LambdaService } = require(`${lib}/services`);
  const { CognitoServiceImpl } = require(`${lib}/services/cognitoService`);
  const { CryptoService } = require(`${lib}/services/crypto`);
  const { otp } = require(`${lib}/services/otp`);
  const { UserPoolServiceFactoryImpl } = require(`${lib}/services/userPoolService`);
  const { loadConfig } = require(`${lib}/server/config`);
  const { Router } = require(`${lib}/server/Router`);
  const { createServer } = require(`${lib}/server/server`);
  const AWS = require("aws-sdk");

  const logger = pino({
    level: process.env.EMBARK_COGNITO_LOG_LEVEL ?? "silent",
    redact: COGNITO_LOG_REDACTIONS,
  });
  const ctx = { logger };
  const config = await loadConfig(ctx, new AtomicStormDbDataStoreFactory(configDir));
  const clock = new DateClock();
  const dataStoreFactory = new AtomicStormDbDataStoreFactory(dataDir);
  // CognitoServiceFactoryImpl.create, without its init (which loads every pool): pools load on demand.
  const cognitoClient = new CognitoServiceImpl(
    dataDir,
    await dataStoreFactory.create(ctx, "clients", { Clients: {} }),
    config.UserPoolDefaults,
    new UserPoolServiceFactoryImpl(clock, dataStoreFactory),
  );
  new LazyUserPools(cognitoClient, poolCacheSize).install();
  const triggers = new TriggersService(
    clock,
    cognitoClient,
    new LambdaService(config.TriggerFunctions, new AWS.Lambda(config.LambdaClient)),
    new CryptoService(config.KMSConfig),
  );
  await backfillPoolTags(dataDir, tagIndexFor(dirname(stateDir)));
  const added = cognitoAdditions({
    cognito: cognitoClient,
    clock,
    edgeUrl: issuerDomain,
    tags: tagIndexFor(dirname(stateDir)),
  });
  const services = {
    clock,
    cognito: cognitoClient,
    config,
    messages: added.messages,
    otp,
    tokenGenerator: added.tokenGenerator,
    triggers,
  };
  const router = added.router(Router(services), services);
  const app = createServer(router, logger, { port: 0, hostname: "127.0.0.1" }, services);
  const server: Server = await app.start();
  const { port } = server.address() as AddressInfo;
  return {
    signingNames: ["cognito-idp"],
    targetPrefixes: ["AWSCognitoIdentityProviderService"],
    url: `http://127.0.0.1:${port}`,
    stop: () => close(server),
  };
}
