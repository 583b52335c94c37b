/**
 * Cognito's SRP sign-in for cognito-local, as AWS answers it (cognito-local only has USER_PASSWORD_AUTH and
 * answers USER_SRP_AUTH "unsupported"):
 *
 * - InitiateAuth USER_SRP_AUTH → challenge PASSWORD_VERIFIER (SALT, SRP_B, SECRET_BLOCK, USER_ID_FOR_SRP);
 *   refused with InvalidParameterException when the app client does not allow the flow. An unknown user gets a
 *   challenge too (a random verifier), and fails like a wrong password (PreventUserExistenceErrors).
 * - RespondToAuthChallenge PASSWORD_VERIFIER → checks the SRP signature: NotAuthorizedException "Incorrect
 *   username or password." on a mismatch, "User is disabled." for a disabled user (a suspended tenant),
 *   "Temporary password has expired and must be reset by an administrator." after the pool's
 *   TemporaryPasswordValidityDays; then NEW_PASSWORD_REQUIRED (with a Session) or tokens.
 * - RespondToAuthChallenge NEW_PASSWORD_REQUIRED → needs that Session (3 minutes, or the client's
 *   AuthSessionValidity) and a password the pool's policy accepts (InvalidPasswordException "Password does not
 *   conform to policy: …"), then tokens (pre-token-generation trigger source NewPasswordChallenge).
 *
 * Everything else goes to cognito-local's own targets. Challenges and sessions live in memory: a restart drops
 * sign-ins in progress, as their few minutes' validity would on AWS.
 */
import { randomBytes } from "node:crypto";
import {
  type Ctx,
  cognitoError,
  type LocalAppClient,
  type LocalUser,
  type LocalUserPool,
  type Services,
  type Target,
} from "./services.js";
import { newChallenge, poolNameOf, type SrpChallenge, verifyClaim } from "./srp.js";

const PASSWORD_VERIFIER_TTL_MS = 5 * 60_000;
const DEFAULT_SESSION_MINUTES = 3;
const DAY_MS = 24 * 60 * 60_000;

interface PendingVerifier {
  clientId: string;
  userPoolId: string;
  /** The user as found; undefined: unknown (the answer fails like a wrong password). */
  username?: string;
  userId: string;
  challenge: SrpChallenge;
  srpA: string;
  expires: number;
}

interface PendingNewPassword {
  clientId: string;
  username: string;
  expires: number;
}

const incorrect = () => cognitoError("NotAuthorizedException", "Incorrect username or password.");

export function srpAuthFlows(services: Services): Record<string, Target> {
  const verifiers = new Map<string, PendingVerifier>();
  const sessions = new Map<string, PendingNewPassword>();
  const sweep = (now: number) => {
    for (const [key, v] of verifiers) if (v.expires < now) verifiers.delete(key);
    for (const [key, s] of sessions) if (s.expires < now) sessions.delete(key);
  };

  async function clientAndPool(ctx: Ctx, clientId: unknown) {
    if (typeof clientId !== "string" || !clientId) {
      throw cognitoError("InvalidParameterException", "Missing required parameter ClientId");
    }
    const client = await services.cognito.getAppClient(ctx, clientId);
    if (!client)
      throw cognitoError("ResourceNotFoundException", `User pool client ${clientId} does not exist.`);
    const pool = await services.cognito.getUserPoolForClientId(ctx, clientId);
    return { client, pool };
  }

  async function tokens(
    ctx: Ctx,
    pool: LocalUserPool,
    client: LocalAppClient,
    user: LocalUser,
    metadata: unknown,
    source: string,
  ) {
    const groups = await pool.listUserGroupMembership(ctx, user);
    const issued = await services.tokenGenerator.generate(
      ctx,
      user,
      groups,
      client,
      metadata as Record<string, string> | undefined,
      source,
    );
    await pool.storeRefreshToken(ctx, issued.RefreshToken, user);
    return {
      ChallengeParameters: {},
      AuthenticationResult: { ...issued, ExpiresIn: 3600, TokenType: "Bearer" },
    };
  }

  async function initiateSrp(ctx: Ctx, req: Record<string, unknown>) {
    const { client, pool } = await clientAndPool(ctx, req.ClientId);
    const flows = client.ExplicitAuthFlows ?? [];
    if (flows.length > 0 && !flows.includes("ALLOW_USER_SRP_AUTH") && !flows.includes("USER_SRP_AUTH")) {
      throw cognitoError("InvalidParameterException", "USER_SRP_AUTH is not enabled for the client.");
    }
    const params = (req.AuthParameters ?? {}) as Record<string, string>;
    if (!params.USERNAME || !params.SRP_A) {
      throw cognitoError("InvalidParameterException", "Missing required parameter USERNAME or SRP_A");
    }
    const user = await pool.getUserByUsername(ctx, params.USERNAME);
    const poolName = poolNameOf(pool.options.Id);
    const userId = user?.Username ?? params.USERNAME;
    // An unknown user is challenged with a verifier nobody knows the password of.
    const challenge = newChallenge(poolName, userId, user?.Password ?? randomBytes(32).toString("hex"));
    const secretBlock = randomBytes(64).toString("base64");
    const now = services.clock.get().getTime();
    sweep(now);
    verifiers.set(secretBlock, {
      clientId: client.ClientId,
      userPoolId: pool.options.Id,
      ...(user ? { username: user.Username } : {}),
      userId,
      challenge,
      srpA: params.SRP_A,
      expires: now + PASSWORD_VERIFIER_TTL_MS,
    });
    return {
      ChallengeName: "PASSWORD_VERIFIER",
      ChallengeParameters: {
        SALT: challenge.salt.toString(16),
        SECRET_BLOCK: secretBlock,
        SRP_B: challenge.B.toString(16),
        USERNAME: userId,
        USER_ID_FOR_SRP: userId,
      },
    };
  }

  async function passwordVerifier(ctx: Ctx, req: Record<string, unknown>) {
    const { client, pool } = await clientAndPool(ctx, req.ClientId);
    const r = (req.ChallengeResponses ?? {}) as Record<string, string>;
    const pending = r.PASSWORD_CLAIM_SECRET_BLOCK ? verifiers.get(r.PASSWORD_CLAIM_SECRET_BLOCK) : undefined;
    const now = services.clock.get().getTime();
    if (!pending || pending.expires < now || pending.clientId !== client.ClientId) {
      throw cognitoError("NotAuthorizedException", "Invalid session for the user.");
    }
    verifiers.delete(r.PASSWORD_CLAIM_SECRET_BLOCK as string);
    const user = pending.username ? await pool.getUserByUsername(ctx, pending.username) : null;
    const proven =
      !!user?.Password &&
      verifyClaim({
        poolName: poolNameOf(pending.userPoolId),
        userId: pending.userId,
        password: user.Password,
        challenge: pending.challenge,
        srpA: pending.srpA,
        secretBlock: r.PASSWORD_CLAIM_SECRET_BLOCK as string,
        timestamp: r.TIMESTAMP ?? "",
        signature: r.PASSWORD_CLAIM_SIGNATURE ?? "",
      });
    if (!user || !proven) throw incorrect();
    if (!user.Enabled) throw cognitoError("NotAuthorizedException", "User is disabled.");
    if (user.UserStatus === "FORCE_CHANGE_PASSWORD") {
      const validDays = pool.options.Policies?.PasswordPolicy?.TemporaryPasswordValidityDays ?? 7;
      if (now - new Date(user.UserCreateDate).getTime() > validDays * DAY_MS) {
        throw cognitoError(
          "NotAuthorizedException",
          "Temporary password has expired and must be reset by an administrator.",
        );
      }
      const session = randomBytes(48).toString("base64");
      sessions.set(session, {
        clientId: client.ClientId,
        username: user.Username,
        expires: now + (client.AuthSessionValidity ?? DEFAULT_SESSION_MINUTES) * 60_000,
      });
      const userAttributes = Object.fromEntries(
        user.Attributes.filter((a) => a.Name !== "sub").map((a) => [a.Name, a.Value]),
      );
      return {
        ChallengeName: "NEW_PASSWORD_REQUIRED",
        Session: session,
        ChallengeParameters: {
          USER_ID_FOR_SRP: user.Username,
          requiredAttributes: "[]",
          userAttributes: JSON.stringify(userAttributes),
        },
      };
    }
    if (user.UserStatus === "RESET_REQUIRED") {
      throw cognitoError("PasswordResetRequiredException", "Password reset required for the user");
    }
    return tokens(ctx, pool, client, user, req.ClientMetadata, "Authentication");
  }

  async function newPassword(ctx: Ctx, req: Record<string, unknown>) {
    const { client, pool } = await clientAndPool(ctx, req.ClientId);
    const r = (req.ChallengeResponses ?? {}) as Record<string, string>;
    const session = typeof req.Session === "string" ? sessions.get(req.Session) : undefined;
    const now = services.clock.get().getTime();
    if (!session || session.expires < now || session.clientId !== client.ClientId) {
      throw cognitoError("NotAuthorizedException", "Invalid session for the user, session is expired.");
    }
    const user = await pool.getUserByUsername(ctx, session.username);
    if (
      !user ||
      (r.USERNAME && (await pool.getUserByUsername(ctx, r.USERNAME))?.Username !== user.Username)
    ) {
      throw incorrect();
    }
    if (!r.NEW_PASSWORD)
      throw cognitoError("InvalidParameterException", "Missing required parameter NEW_PASSWORD");
    const broken = policyViolation(pool, r.NEW_PASSWORD);
    if (broken)
      throw cognitoError("InvalidPasswordException", `Password does not conform to policy: ${broken}`);
    sessions.delete(req.Session as string);
    const changed: LocalUser = {
      ...user,
      Password: r.NEW_PASSWORD,
      UserStatus: "CONFIRMED",
      UserLastModifiedDate: services.clock.get(),
    };
    await pool.saveUser(ctx, changed);
    return tokens(ctx, pool, client, changed, req.ClientMetadata, "NewPasswordChallenge");
  }

  return {
    InitiateAuth: async (ctx, req) => (req.AuthFlow === "USER_SRP_AUTH" ? initiateSrp(ctx, req) : undefined),
    RespondToAuthChallenge: async (ctx, req) =>
      req.ChallengeName === "PASSWORD_VERIFIER"
        ? passwordVerifier(ctx, req)
        : req.ChallengeName === "NEW_PASSWORD_REQUIRED"
          ? newPassword(ctx, req)
          : undefined,
  };
}

/** What AWS says is wrong with a new password under the pool's policy, or undefined when it conforms. */
export function policyViolation(pool: LocalUserPool, password: string): string | undefined {
  const p = pool.options.Policies?.PasswordPolicy ?? {};
  if (password.length < (p.MinimumLength ?? 8)) return "Password not long enough";
  if (p.RequireUppercase && !/[A-Z]/.test(password)) return "Password must have uppercase characters";
  if (p.RequireLowercase && !/[a-z]/.test(password)) return "Password must have lowercase characters";
  if (p.RequireNumbers && !/[0-9]/.test(password)) return "Password must have numeric characters";
  if (p.RequireSymbols && !/[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+-]/.test(password)) {
    return "Password must have symbol characters";
  }
  return undefined;
}

/**
 * cognito-local's router with these flows in front: a target of ours answers when it handles the request
 * (returns something), else cognito-local's own target does.
 */
export function withSrpAuthFlows(
  router: (target: string) => Target,
  services: Services,
): (target: string) => Target {
  const ours = srpAuthFlows(services);
  return (target) => {
    const theirs = router(target);
    const mine = ours[target];
    if (!mine) return theirs;
    return async (ctx, req) => (await mine(ctx, req)) ?? theirs(ctx, req);
  };
}
