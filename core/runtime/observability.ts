/** Powertools Logger and Metrics for one function, configured the same way everywhere (tracing: handler.ts). */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";

export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

export function observability(functionName: string): Observability {
  const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? "embark";
  return {
    logger: new Logger({ serviceName, persistentKeys: { function: functionName } }),
    metrics: new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "Embark", serviceName }),
  };
}
