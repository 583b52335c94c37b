/** Dependencies backed by EventBridge Scheduler: a cancelled tenant's purge timer. */
import { SchedulerPurgeSchedules } from "../../adapters/purge-schedules.js";

export const purgeSchedules = (env: NodeJS.ProcessEnv) => SchedulerPurgeSchedules.fromEnvironment(env);
