/**
 * What every stack needs: the stage, physical names, and ARNs built from names. ARNs of things that
 * reference each other (functions ↔ state machine) are computed from names, so Pulumi sees no cycle.
 */
export interface Context {
  stage: string;
  /** Keeps data on removal, deletion protection, longer log retention, higher API limits. */
  production: boolean;
  region: $util.Output<string>;
  accountId: $util.Output<string>;
  partition: $util.Output<string>;
  /** `embark-<stage>-<name>`: unique per stage in one account, recognisable in the console. */
  physicalName(name: string): string;
  /** `arn:<partition>:<service>:<region>:<account>:<resource>`. */
  arn(service: string, resource: $util.Input<string>): $util.Output<string>;
}

export function createContext(): Context {
  const stage = $app.stage;
  const region = aws.getRegionOutput().region;
  const accountId = aws.getCallerIdentityOutput().accountId;
  const partition = aws.getPartitionOutput().partition;
  return {
    stage,
    // Production stages are the protected ones (sst.config.ts decides which).
    production: $app.protect,
    region,
    accountId,
    partition,
    physicalName: (name) => `${$app.name}-${stage}-${name}`,
    arn: (service, resource) => $interpolate`arn:${partition}:${service}:${region}:${accountId}:${resource}`,
  };
}

/** `signup-intake` → `SignupIntake` (SST component names). */
export const pascal = (name: string) =>
  name.replace(/(^|[-_ ])([a-z0-9])/g, (_, _sep: string, c: string) => c.toUpperCase());
