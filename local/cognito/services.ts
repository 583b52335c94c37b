/**
 * The parts of cognito-local's internals our additions (local/cognito/) use, typed by hand: cognito-local is
 * assembled from its library modules in local/emulators/cognito.ts, and these are the shapes it passes around.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export interface Ctx {
  logger: {
    debug(...args: unknown[]): void;
    warn(...args: unknown[]): void;
    error(...args: unknown[]): void;
  };
}

export interface Attribute {
  Name: string;
  Value?: string;
}

export interface LocalUser {
  Username: string;
  Password?: string;
  Attributes: Attribute[];
  Enabled: boolean;
  UserStatus: string;
  UserCreateDate: Date | string;
  UserLastModifiedDate: Date | string;
  RefreshTokens?: string[];
}

export interface LocalAppClient {
  ClientId: string;
  UserPoolId: string;
  ExplicitAuthFlows?: string[];
  AuthSessionValidity?: number;
}

export interface PoolOptions {
  Id: string;
  Name?: string;
  UsernameAttributes?: string[];
  Policies?: {
    PasswordPolicy?: {
      MinimumLength?: number;
      RequireUppercase?: boolean;
      RequireLowercase?: boolean;
      RequireNumbers?: boolean;
      RequireSymbols?: boolean;
      TemporaryPasswordValidityDays?: number;
    };
  };
  AdminCreateUserConfig?: { InviteMessageTemplate?: { EmailSubject?: string; EmailMessage?: string } };
  VerificationMessageTemplate?: { EmailSubject?: string; EmailMessage?: string };
  EmailVerificationSubject?: string;
  EmailVerificationMessage?: string;
  EmailConfiguration?: { EmailSendingAccount?: string; SourceArn?: string; From?: string };
  LambdaConfig?: {
    PreTokenGeneration?: string;
    PreTokenGenerationConfig?: { LambdaVersion?: string; LambdaArn?: string };
  };
}

export interface LocalUserPool {
  options: PoolOptions;
  getUserByUsername(ctx: Ctx, username: string): Promise<LocalUser | null>;
  saveUser(ctx: Ctx, user: LocalUser): Promise<void>;
  listUserGroupMembership(ctx: Ctx, user: LocalUser): Promise<readonly string[]>;
  storeRefreshToken(ctx: Ctx, refreshToken: string, user: LocalUser): Promise<void>;
}

export interface CognitoLocalService {
  getUserPool(ctx: Ctx, userPoolId: string): Promise<LocalUserPool>;
  getUserPoolForClientId(ctx: Ctx, clientId: string): Promise<LocalUserPool>;
  getAppClient(ctx: Ctx, clientId: string): Promise<LocalAppClient | null>;
}

export interface Tokens {
  AccessToken: string;
  IdToken: string;
  RefreshToken: string;
}

export interface TokenGenerator {
  generate(
    ctx: Ctx,
    user: LocalUser,
    groups: readonly string[],
    client: LocalAppClient,
    clientMetadata: Record<string, string> | undefined,
    source: string,
  ): Promise<Tokens>;
}

export interface Services {
  cognito: CognitoLocalService;
  tokenGenerator: TokenGenerator;
  clock: { get(): Date };
}

/** A target handler as cognito-local's router returns it. */
export type Target = (ctx: Ctx, req: Record<string, unknown>) => Promise<unknown>;

/** cognito-local's error class: the server answers 400 `{__type: code, message}`, as AWS does. */
const { CognitoError } = require("cognito-local/lib/errors") as {
  CognitoError: new (code: string, message: string) => Error;
};

export const cognitoError = (code: string, message: string): Error => new CognitoError(code, message);

export const attribute = (user: Pick<LocalUser, "Attributes">, name: string) =>
  user.Attributes.find((a) => a.Name === name)?.Value;
