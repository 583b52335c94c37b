/** Dependencies backed by S3: the tenant exports bucket. */
import { S3ExportStore } from "../../adapters/export-store.js";

export const exports = (env: NodeJS.ProcessEnv) => S3ExportStore.fromEnvironment(env);
