/** Powertools Logger, Metrics and Tracer for one function, configured the same way everywhere. */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";

export interface Observability {
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
}

export function observability(functionName: string): Observability {
  const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? "embark";
  return {
    logger: new Logger({ serviceName, persistentKeys: { function: functionName } }),
    metrics: new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "Embark", serviceName }),
    tracer: new Tracer({ serviceName }),
  };
}
