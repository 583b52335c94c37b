/**
 * What the local cloud adds to cognito-local so a tenant's users sign in as they would on AWS: SRP sign-in and
 * its challenges (auth-flows.ts), tokens with the pool's own pre-token-generation trigger (tokens.ts), Cognito's
 * emails through the local SES (messages.ts), and policy-conforming temporary passwords. local/emulators/
 * cognito.ts plugs these into the services it assembles cognito-local from.
 */
import { randomInt } from "node:crypto";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { SESClient } from "@aws-sdk/client-ses";
import { localClientConfig } from "../aws/client-config.js";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "../aws/constants.js";
import type { TagIndex } from "../tagging/tag-index.js";
import { withSrpAuthFlows } from "./auth-flows.js";
import { SesMessages } from "./messages.js";
import type { CognitoLocalService, Services, Target } from "./services.js";
import { PoolTriggerTokenGenerator } from "./tokens.js";

export function cognitoAdditions(o: {
  cognito: CognitoLocalService;
  clock: { get(): Date };
  edgeUrl: string;
  /** The local tag index the Resource Groups Tagging API answers from (local/tagging). */
  tags?: TagIndex;
}) {
  const config = localClientConfig(o.edgeUrl);
  return {
    messages: new SesMessages(o.cognito, new SESClient(config)),
    tokenGenerator: new PoolTriggerTokenGenerator(
      o.cognito,
      new LambdaClient(config),
      o.edgeUrl,
      LOCAL_REGION,
      o.clock,
    ),
    router: (router: (target: string) => Target, services: Services) =>
      withPoolTagIndex(withTemporaryPasswords(withSrpAuthFlows(router, services)), o.tags),
  };
}

export const userPoolArn = (id: string) =>
  `arn:aws:cognito-idp:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:userpool/${id}`;

/**
 * Keeps the tag index (local/tagging) in step with the pools: what CreateUserPool, UpdateUserPool (its
 * UserPoolTags replace the pool's tags, as on AWS), TagResource, UntagResource and DeleteUserPool did, once they
 * succeeded. So GetResources finds a tenant's pool by its tag without reading every pool.
 */
function withPoolTagIndex(
  router: (target: string) => Target,
  tags: TagIndex | undefined,
): (target: string) => Target {
  if (!tags) return router;
  return (target) => {
    const theirs = router(target);
    const tagsOf = (req: Record<string, unknown>) => (req.UserPoolTags ?? {}) as Record<string, string>;
    switch (target) {
      case "CreateUserPool":
        return async (ctx, req) => {
          const out = (await theirs(ctx, req)) as { UserPool?: { Id?: string } };
          if (out?.UserPool?.Id) tags.set(userPoolArn(out.UserPool.Id), tagsOf(req));
          return out;
        };
      case "UpdateUserPool":
        return async (ctx, req) => {
          const out = await theirs(ctx, req);
          if (req.UserPoolTags) tags.set(userPoolArn(String(req.UserPoolId)), tagsOf(req));
          return out;
        };
      case "DeleteUserPool":
        return async (ctx, req) => {
          const out = await theirs(ctx, req);
          tags.set(userPoolArn(String(req.UserPoolId)), null);
          return out;
        };
      case "TagResource":
        return async (ctx, req) => {
          const out = await theirs(ctx, req);
          tags.merge(String(req.ResourceArn), (req.Tags ?? {}) as Record<string, string>);
          return out;
        };
      case "UntagResource":
        return async (ctx, req) => {
          const out = await theirs(ctx, req);
          const arn = String(req.ResourceArn);
          const left = { ...(tags.tagsOf(arn) ?? {}) };
          for (const k of (req.TagKeys ?? []) as string[]) delete left[k];
          tags.set(arn, left);
          return out;
        };
      default:
        return theirs;
    }
  };
}

/**
 * AdminCreateUser without a TemporaryPassword: Cognito generates one its pool's policy accepts (cognito-local
 * would make six characters that no 12-character policy allows).
 */
function withTemporaryPasswords(router: (target: string) => Target): (target: string) => Target {
  return (target) => {
    const theirs = router(target);
    if (target !== "AdminCreateUser") return theirs;
    return (ctx, req) =>
      theirs(ctx, req.TemporaryPassword ? req : { ...req, TemporaryPassword: temporaryPassword() });
  };
}

/**
 * Paths cognito-local's debug log would print a password or code at (it logs whole users and data stores):
 * redacted, so EMBARK_COGNITO_LOG_LEVEL=debug shows no secret.
 */
export const COGNITO_LOG_REDACTIONS = {
  paths: [
    ...["Password", "TemporaryPassword", "ConfirmationCode", "MFACode", "RefreshTokens"].flatMap((k) => [
      k,
      `*.${k}`,
      `*.*.${k}`,
      `*.*.*.${k}`,
      `*.*.*.*.${k}`,
    ]),
    ...["PASSWORD", "NEW_PASSWORD", "REFRESH_TOKEN", "SRP_A"].map((k) => `*.*.${k}`),
  ],
  censor: "[redacted]",
};

const SETS = ["ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "!#%&*+-=?@^_"];

/** 16 characters with each of upper, lower, digit and symbol, in random order. */
export function temporaryPassword(): string {
  const all = SETS.join("");
  const chars = [
    ...SETS.map((s) => s[randomInt(s.length)]),
    ...Array.from({ length: 12 }, () => all[randomInt(all.length)]),
  ];
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join("");
}
