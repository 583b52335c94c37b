/**
 * Signup rate limits, per client IP and per admin email domain: a public form that makes a Cognito user pool, a
 * namespace and an email per call must not be scriptable. API Gateway HTTP APIs throttle per route and stage,
 * never per client, so the counts live in DynamoDB (core/adapters/rate-limiter.ts) where every Lambda instance
 * sees them. Plan-independent; set per stage with the environment variables below ("<count>/<seconds>" or
 * "off"), e.g. EMBARK_SIGNUP_LIMIT_PER_IP=10/3600.
 */
import type { RateLimiter } from "../ports.js";

export interface Limit {
  limit: number;
  windowSeconds: number;
}
export interface SignupLimits {
  perIp?: Limit;
  perEmailDomain?: Limit;
}

/**
 * Defaults: a person signs up a handful of workspaces at most; a company's domain a few dozen an hour. Big
 * free-mail domains (gmail.com) share one domain counter: raise perEmailDomain where that matters.
 */
export const DEFAULT_SIGNUP_LIMITS: Required<SignupLimits> = {
  perIp: { limit: 10, windowSeconds: 3600 },
  perEmailDomain: { limit: 30, windowSeconds: 3600 },
};

export const SIGNUP_LIMIT_ENV = {
  perIp: "EMBARK_SIGNUP_LIMIT_PER_IP",
  perEmailDomain: "EMBARK_SIGNUP_LIMIT_PER_EMAIL_DOMAIN",
} as const;

/** `"10/3600"` → 10 per hour; `"off"` → no limit; unset → the default. Anything else is a configuration error. */
export function parseLimit(name: string, raw: string | undefined, fallback: Limit): Limit | undefined {
  if (raw === undefined || raw === "") return fallback;
  if (raw === "off") return undefined;
  const m = /^(\d{1,9})\/(\d{1,9})$/.exec(raw);
  const limit = Number(m?.[1]);
  const windowSeconds = Number(m?.[2]);
  if (!m || limit < 1 || windowSeconds < 1)
    throw new Error(
      `Invalid configuration: ${name}="${raw}" must be <count>/<seconds> (e.g. 10/3600) or off`,
    );
  return { limit, windowSeconds };
}

/** The limits the environment sets. */
export function signupLimits(env: NodeJS.ProcessEnv = process.env): SignupLimits {
  const perIp = parseLimit(SIGNUP_LIMIT_ENV.perIp, env[SIGNUP_LIMIT_ENV.perIp], DEFAULT_SIGNUP_LIMITS.perIp);
  const perEmailDomain = parseLimit(
    SIGNUP_LIMIT_ENV.perEmailDomain,
    env[SIGNUP_LIMIT_ENV.perEmailDomain],
    DEFAULT_SIGNUP_LIMITS.perEmailDomain,
  );
  return { ...(perIp ? { perIp } : {}), ...(perEmailDomain ? { perEmailDomain } : {}) };
}

/** A signup refused by a limit: 429 with Retry-After. */
export class SignupRateLimitedError extends Error {
  override name = "SignupRateLimitedError";
  constructor(
    readonly scope: "ip" | "emailDomain",
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The counter key of a client address: an IPv4 address as is, an IPv6 address by its /64 (one subscriber's
 * network hands out a whole /64, so counting single addresses would count nothing).
 */
export function clientKey(sourceIp: string): string {
  if (!sourceIp.includes(":")) return sourceIp;
  const [head = "", tail = ""] = sourceIp.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = sourceIp.includes("::")
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

const inWords = (seconds: number): string => {
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${Math.ceil(minutes / 60)} h`;
};
const per = (l: Limit) => `${l.limit} per ${inWords(l.windowSeconds)}`;

/** Counts this signup against each limit; throws SignupRateLimitedError at the first one it would exceed. */
export async function checkSignupLimits(
  d: { rateLimiter: RateLimiter; limits: SignupLimits },
  client: { sourceIp: string; adminEmail: string },
  now = new Date(),
): Promise<void> {
  const { perIp, perEmailDomain } = d.limits;
  if (perIp) {
    const taken = await d.rateLimiter.take(
      `signup#ip#${clientKey(client.sourceIp)}`,
      perIp.limit,
      perIp.windowSeconds,
      now,
    );
    if (!taken.ok)
      throw new SignupRateLimitedError(
        "ip",
        taken.retryAfterSeconds,
        `Too many signups from your network (at most ${per(perIp)}); try again in ${inWords(taken.retryAfterSeconds)}`,
      );
  }
  const domain = client.adminEmail.split("@").at(-1)?.toLowerCase();
  if (perEmailDomain && domain) {
    const taken = await d.rateLimiter.take(
      `signup#domain#${domain}`,
      perEmailDomain.limit,
      perEmailDomain.windowSeconds,
      now,
    );
    if (!taken.ok)
      throw new SignupRateLimitedError(
        "emailDomain",
        taken.retryAfterSeconds,
        `Too many signups for email addresses at ${domain} (at most ${per(perEmailDomain)}); try again in ${inWords(taken.retryAfterSeconds)}`,
      );
  }
}
