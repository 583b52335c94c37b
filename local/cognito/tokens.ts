/**
 * Tokens as Cognito issues them, with the pool's own pre-token-generation trigger: cognito-local's generator
 * calls one trigger configured for the whole emulator and only lets it change the ID token (event version 1).
 * This one reads each pool's LambdaConfig (PreTokenGenerationConfig, or the legacy PreTokenGeneration field),
 * invokes that function through the local cloud's Lambda Invoke API on the edge (as Cognito invokes it on AWS),
 * and applies a version 2 answer to the ID and the access token (claims to add, override or suppress; scopes),
 * a version 1 answer to the ID token. A function error fails the sign-in with UserLambdaValidationException,
 * as on AWS. Signed with cognito-local's key, so its JWKS endpoint verifies them.
 */

import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { InvokeCommand, type InvokeCommandOutput, type LambdaClient } from "@aws-sdk/client-lambda";
import {
  attribute,
  type CognitoLocalService,
  type Ctx,
  cognitoError,
  type LocalAppClient,
  type LocalUser,
  type TokenGenerator,
  type Tokens,
} from "./services.js";

const require = createRequire(import.meta.url);
const jwt = require("jsonwebtoken") as {
  sign(payload: object, key: string, options: Record<string, unknown>): string;
};
const PRIVATE_KEY = (require("cognito-local/lib/keys/cognitoLocal.private.json") as { pem: string }).pem;

/** Claims a trigger can neither add nor suppress (Cognito's list). */
const RESERVED = new Set([
  "acr",
  "amr",
  "aud",
  "at_hash",
  "auth_time",
  "azp",
  "cognito:username",
  "exp",
  "iat",
  "identities",
  "iss",
  "jti",
  "nbf",
  "nonce",
  "origin_jti",
  "sub",
  "token_use",
  "client_id",
  "event_id",
  "username",
  "scope",
]);

interface ClaimsOverride {
  claimsToAddOrOverride?: Record<string, unknown>;
  claimsToSuppress?: string[];
  scopesToAdd?: string[];
  scopesToSuppress?: string[];
}

interface TriggerAnswer {
  claimsOverrideDetails?: ClaimsOverride & { groupOverrideDetails?: { groupsToOverride?: string[] } };
  claimsAndScopeOverrideDetails?: {
    idTokenGeneration?: ClaimsOverride;
    accessTokenGeneration?: ClaimsOverride;
    groupOverrideDetails?: { groupsToOverride?: string[] };
  };
}

function applyClaims(token: Record<string, unknown>, o: ClaimsOverride | undefined): Record<string, unknown> {
  if (!o) return token;
  const out = { ...token };
  for (const c of o.claimsToSuppress ?? []) if (!RESERVED.has(c)) delete out[c];
  for (const [c, v] of Object.entries(o.claimsToAddOrOverride ?? {})) if (!RESERVED.has(c)) out[c] = v;
  return out;
}

const durationOf = (value: number | undefined, unit: string | undefined, fallback: string) =>
  value === undefined ? fallback : `${value}${unit ?? "hours"}`;

export class PoolTriggerTokenGenerator implements TokenGenerator {
  constructor(
    private readonly cognito: CognitoLocalService,
    private readonly lambda: LambdaClient,
    private readonly issuerDomain: string,
    private readonly region: string,
    private readonly clock: { get(): Date },
  ) {}

  async generate(
    ctx: Ctx,
    user: LocalUser,
    groups: readonly string[],
    client: LocalAppClient & {
      AccessTokenValidity?: number;
      IdTokenValidity?: number;
      RefreshTokenValidity?: number;
      TokenValidityUnits?: { AccessToken?: string; IdToken?: string; RefreshToken?: string };
    },
    clientMetadata: Record<string, string> | undefined,
    source: string,
  ): Promise<Tokens> {
    const now = Math.floor(this.clock.get().getTime() / 1000);
    const eventId = randomUUID();
    const sub = attribute(user, "sub");
    let scopes = ["aws.cognito.signin.user.admin"];
    let access: Record<string, unknown> = {
      sub,
      ...(groups.length ? { "cognito:groups": [...groups] } : {}),
      event_id: eventId,
      token_use: "access",
      auth_time: now,
      iat: now,
      jti: randomUUID(),
      client_id: client.ClientId,
      username: user.Username,
    };
    const custom = Object.fromEntries(
      user.Attributes.filter((a) => a.Name.startsWith("custom:")).map((a) => [a.Name, a.Value]),
    );
    let id: Record<string, unknown> = {
      sub,
      ...(groups.length ? { "cognito:groups": [...groups] } : {}),
      email_verified: attribute(user, "email_verified") === "true",
      "cognito:username": user.Username,
      email: attribute(user, "email"),
      ...custom,
      event_id: eventId,
      token_use: "id",
      auth_time: now,
      iat: now,
      jti: randomUUID(),
    };

    const pool = await this.cognito.getUserPool(ctx, client.UserPoolId);
    const lc = pool.options.LambdaConfig;
    const arn = lc?.PreTokenGenerationConfig?.LambdaArn ?? lc?.PreTokenGeneration;
    if (arn) {
      const v2 = lc?.PreTokenGenerationConfig?.LambdaVersion === "V2_0";
      const answer = await this.invoke(arn, {
        version: v2 ? "2" : "1",
        triggerSource: `TokenGeneration_${source}`,
        region: this.region,
        userPoolId: client.UserPoolId,
        userName: user.Username,
        callerContext: { awsSdkVersion: "aws-sdk-js-3", clientId: client.ClientId },
        request: {
          userAttributes: Object.fromEntries(user.Attributes.map((a) => [a.Name, a.Value])),
          groupConfiguration: { groupsToOverride: [...groups], iamRolesToOverride: [], preferredRole: null },
          ...(v2 ? { scopes } : {}),
          ...(clientMetadata ? { clientMetadata } : {}),
        },
        response: v2 ? { claimsAndScopeOverrideDetails: null } : { claimsOverrideDetails: null },
      });
      if (v2) {
        const d = answer.claimsAndScopeOverrideDetails;
        id = applyClaims(id, d?.idTokenGeneration);
        access = applyClaims(access, d?.accessTokenGeneration);
        const a = d?.accessTokenGeneration;
        scopes = [
          ...scopes.filter((s) => !(a?.scopesToSuppress ?? []).includes(s)),
          ...(a?.scopesToAdd ?? []),
        ];
        const overridden = d?.groupOverrideDetails?.groupsToOverride;
        if (overridden) id["cognito:groups"] = access["cognito:groups"] = overridden;
      } else {
        id = applyClaims(id, answer.claimsOverrideDetails);
        const overridden = answer.claimsOverrideDetails?.groupOverrideDetails?.groupsToOverride;
        if (overridden) id["cognito:groups"] = access["cognito:groups"] = overridden;
      }
    }
    access.scope = scopes.join(" ");

    const issuer = `${this.issuerDomain}/${client.UserPoolId}`;
    const units = client.TokenValidityUnits ?? {};
    const sign = (payload: object, expiresIn: string, audience?: string) =>
      jwt.sign(payload, PRIVATE_KEY, {
        algorithm: "RS256",
        issuer,
        expiresIn,
        keyid: "CognitoLocal",
        ...(audience ? { audience } : {}),
      });
    return {
      AccessToken: sign(access, durationOf(client.AccessTokenValidity, units.AccessToken, "1h")),
      IdToken: sign(id, durationOf(client.IdTokenValidity, units.IdToken, "1h"), client.ClientId),
      // Opaque on AWS; here a signed token cognito-local's refresh flow can look up.
      RefreshToken: sign(
        { "cognito:username": user.Username, email: attribute(user, "email"), iat: now, jti: randomUUID() },
        durationOf(client.RefreshTokenValidity, units.RefreshToken ?? "days", "30d"),
      ),
    };
  }

  private async invoke(functionArn: string, event: Record<string, unknown>): Promise<TriggerAnswer> {
    let out: InvokeCommandOutput;
    try {
      out = await this.lambda.send(
        new InvokeCommand({ FunctionName: functionArn, Payload: Buffer.from(JSON.stringify(event)) }),
      );
    } catch (err) {
      throw cognitoError(
        "UnexpectedLambdaException",
        `PreTokenGeneration invocation failed due to error ${(err as Error).name}.`,
      );
    }
    const text = Buffer.from(out.Payload ?? []).toString("utf8");
    if (out.FunctionError) {
      let message = out.FunctionError;
      try {
        message = (JSON.parse(text) as { errorMessage?: string }).errorMessage ?? message;
      } catch {
        // not JSON: the error name is all there is
      }
      throw cognitoError("UserLambdaValidationException", `PreTokenGeneration failed with error ${message}.`);
    }
    try {
      return ((JSON.parse(text) as { response?: TriggerAnswer }).response ?? {}) as TriggerAnswer;
    } catch {
      throw cognitoError("InvalidLambdaResponseException", "Invalid lambda response received");
    }
  }
}
