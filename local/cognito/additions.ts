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
import { LOCAL_REGION } from "../aws/constants.js";
import { withSrpAuthFlows } from "./auth-flows.js";
import { SesMessages } from "./messages.js";
import type { CognitoLocalService, Services, Target } from "./services.js";
import { PoolTriggerTokenGenerator } from "./tokens.js";

export function cognitoAdditions(o: {
  cognito: CognitoLocalService;
  clock: { get(): Date };
  edgeUrl: string;
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
      withTemporaryPasswords(withSrpAuthFlows(router, services)),
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
