/**
 * Whether the local cloud is wired and ready, shared by the edge and the web server so both tell the truth:
 * until `markReady()` their health endpoints answer 503 {"status":"starting"} and requests that would only be
 * answered correctly once everything is wired (a route, an AWS service not registered yet) wait for it instead
 * of getting a 404. Ready, the health answer lists each service as `running`, as LocalStack's
 * `/_localstack/health` does.
 */

export type ServiceState = "starting" | "running";

export interface HealthReport {
  status: "starting" | "running";
  services: Record<string, ServiceState>;
}

export interface Readiness {
  readonly isReady: boolean;
  /** Resolves once ready; rejects with a message after `timeoutMs` (a start-up that hangs). */
  whenReady(timeoutMs?: number): Promise<void>;
  markReady(): void;
  /** Names a service that is part of the cloud (listed as `starting` until ready, then `running`). */
  addService(name: string): void;
  health(): HealthReport;
}

/** How long a request waits for start-up before it is answered 503. */
export const READY_WAIT_MS = 60_000;

export function createReadiness(): Readiness {
  let ready = false;
  let resolveReady!: () => void;
  const readyPromise = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  const services = new Set<string>();
  return {
    get isReady() {
      return ready;
    },
    async whenReady(timeoutMs = READY_WAIT_MS) {
      if (ready) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("the local cloud is still starting")), timeoutMs);
        timer.unref();
      });
      try {
        await Promise.race([readyPromise, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    markReady() {
      ready = true;
      resolveReady();
    },
    addService(name) {
      services.add(name);
    },
    health() {
      const state: ServiceState = ready ? "running" : "starting";
      return {
        status: state,
        services: Object.fromEntries([...services].sort().map((s) => [s, state])),
      };
    },
  };
}

/** A readiness that is ready from the start (a server used on its own). */
export function alreadyReady(): Readiness {
  const r = createReadiness();
  r.markReady();
  return r;
}
