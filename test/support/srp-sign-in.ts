/**
 * Signs a user in the way the sign-in page does: amazon-cognito-identity-js (SRP, then NEW_PASSWORD_REQUIRED),
 * against the local cloud's edge, with the tokens kept in memory. Promises instead of its callbacks.
 */
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
} from "amazon-cognito-identity-js";
import { MemoryStorage } from "../../web/login/client/cognito.js";

export type SignInOutcome =
  | { kind: "signedIn"; session: CognitoUserSession }
  | { kind: "newPasswordRequired"; complete(newPassword: string): Promise<CognitoUserSession> }
  | { kind: "failed"; code: string; message: string };

export function signIn(
  endpoint: string,
  ids: { userPoolId: string; clientId: string },
  email: string,
  password: string,
): Promise<SignInOutcome> {
  const Storage = new MemoryStorage();
  const pool = new CognitoUserPool({ UserPoolId: ids.userPoolId, ClientId: ids.clientId, endpoint, Storage });
  const user = new CognitoUser({ Username: email, Pool: pool, Storage });
  return new Promise((resolve) => {
    user.authenticateUser(new AuthenticationDetails({ Username: email, Password: password }), {
      onSuccess: (session) => resolve({ kind: "signedIn", session }),
      onFailure: (err: { code?: string; name?: string; message?: string }) =>
        resolve({ kind: "failed", code: err.code ?? err.name ?? "Error", message: err.message ?? "" }),
      newPasswordRequired: () =>
        resolve({
          kind: "newPasswordRequired",
          complete: (newPassword) =>
            new Promise((ok, fail) =>
              user.completeNewPasswordChallenge(newPassword, {}, { onSuccess: ok, onFailure: fail }),
            ),
        }),
    });
  });
}

/** The claims of a JWT (no verification: the test reads what Cognito put in). */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<
    string,
    unknown
  >;
}
