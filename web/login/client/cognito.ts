/**
 * Sign-in with Cognito's SRP flow through amazon-cognito-identity-js: the password never leaves the browser
 * (only the SRP proof does), the first sign-in's NEW_PASSWORD_REQUIRED challenge is passed back to the page,
 * and tokens are kept in memory only (a reload signs out).
 */
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
  type ICognitoStorage,
} from "amazon-cognito-identity-js";
import type { CognitoFailure, SignInConfig } from "./model.js";

/** Tokens in memory only: a reload signs out. */
export class MemoryStorage implements ICognitoStorage {
  private readonly items = new Map<string, string>();
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  clear() {
    this.items.clear();
  }
}

export type SignInResult =
  | { kind: "signedIn"; idToken: string }
  | { kind: "newPasswordRequired"; complete(newPassword: string): Promise<SignInResult> }
  | ({ kind: "failed" } & CognitoFailure);

const failure = (err: unknown): SignInResult => {
  const e = err as { code?: string; name?: string; message?: string };
  const network = e instanceof TypeError || /network|fetch/i.test(e.message ?? "");
  return {
    kind: "failed",
    code: e.code ?? (network ? "NetworkError" : (e.name ?? "Error")),
    message: e.message ?? "",
  };
};

export function signIn(
  endpoint: string,
  config: SignInConfig,
  email: string,
  password: string,
): Promise<SignInResult> {
  const Storage = new MemoryStorage();
  const pool = new CognitoUserPool({
    UserPoolId: config.userPoolId,
    ClientId: config.clientId,
    endpoint,
    Storage,
  });
  const user = new CognitoUser({ Username: email, Pool: pool, Storage });
  const signedIn = (session: CognitoUserSession): SignInResult => ({
    kind: "signedIn",
    idToken: session.getIdToken().getJwtToken(),
  });
  return new Promise((resolve) => {
    user.authenticateUser(new AuthenticationDetails({ Username: email, Password: password }), {
      onSuccess: (session) => resolve(signedIn(session)),
      onFailure: (err) => resolve(failure(err)),
      newPasswordRequired: () =>
        resolve({
          kind: "newPasswordRequired",
          complete: (newPassword) =>
            new Promise((done) =>
              user.completeNewPasswordChallenge(
                newPassword,
                {},
                {
                  onSuccess: (session) => done(signedIn(session)),
                  onFailure: (err) => done(failure(err)),
                },
              ),
            ),
        }),
    });
  });
}
