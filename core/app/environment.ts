/**
 * Builds what the functions' core code needs from the standard Lambda environment (the variables resources.ts
 * names; stacks/ and the local cloud set them). A function names the dependencies it uses, with factories from
 * core/app/deps/ (one module per AWS service or library behind them), and each is made on first use: so a
 * function's bundle carries, and its cold start loads, only the clients its own code calls (docs/deploy.md,
 * "Bundles"). AWS clients honour AWS_ENDPOINT_URL, so the same code runs on the local cloud.
 */
import type { PoolSettings } from "../ports.js";
import { DEFAULT_SLUG_RESERVATION_DAYS, MIN_SLUG_RESERVATION_DAYS } from "../tenant/slug.js";
import { FUNCTION_REFS, SETTINGS } from "./resources.js";

/** Makes one dependency from the environment. */
export type Factory<T> = (env: NodeJS.ProcessEnv) => T;
/** A factory per dependency of `D`. */
export type Factories<D> = { [K in keyof D]: Factory<D[K]> };

/** The dependencies `factories` make, each made when first read, then kept. */
export function dependencies<D extends object>(
  factories: Factories<D>,
  env: NodeJS.ProcessEnv = process.env,
): D {
  const made = {} as D;
  for (const key of Object.keys(factories) as (keyof D)[]) {
    Object.defineProperty(made, key, {
      enumerable: true,
      get() {
        const value = factories[key](env);
        Object.defineProperty(made, key, { value, enumerable: true });
        return value;
      },
      configurable: true,
    });
  }
  return made;
}

/** Addresses tenant emails use; defaults for a local run without the stage settings. */
export function mailSettings(env: NodeJS.ProcessEnv = process.env) {
  return {
    from: env[SETTINGS.senderEmail] ?? "Embark <no-reply@embark.example.com>",
    appUrl: env[SETTINGS.appUrl] ?? "https://app.embark.example.com",
    supportEmail: env[SETTINGS.supportEmail] ?? "support@embark.example.com",
    slugReservationDays: slugReservationDays(env),
  };
}

/** The sign-in settings every tenant pool gets: the claims trigger, and mail through Embark's SES identity. */
export function poolSettings(env: NodeJS.ProcessEnv = process.env): PoolSettings {
  const trigger = env[FUNCTION_REFS.preTokenGeneration.env];
  const sourceArn = env[SETTINGS.sesIdentityArn];
  const configurationSet = env[SETTINGS.sesConfigurationSet];
  return {
    ...(trigger ? { preTokenGenerationArn: trigger } : {}),
    ...(sourceArn
      ? {
          mail: {
            sourceArn,
            from: mailSettings(env).from,
            ...(configurationSet ? { configurationSet } : {}),
          },
        }
      : {}),
  };
}

/** EMBARK_SLUG_RESERVATION_DAYS, never below Step Functions' 90-day execution-name window. */
function slugReservationDays(env: NodeJS.ProcessEnv): number {
  const days = Number(env[SETTINGS.slugReservationDays] ?? DEFAULT_SLUG_RESERVATION_DAYS);
  return Number.isFinite(days) ? Math.max(MIN_SLUG_RESERVATION_DAYS, days) : DEFAULT_SLUG_RESERVATION_DAYS;
}
