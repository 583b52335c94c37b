/** Dependencies backed by Cognito user pools: the tenant's identity (pool, client, admins, users). */
import { CognitoIdentityProvisioner } from "../../adapters/identity.js";
import { poolSettings } from "../environment.js";

export const identity = (_env: NodeJS.ProcessEnv) => new CognitoIdentityProvisioner();
/** What every tenant pool is configured with (the claims trigger, mail through Embark's SES identity). */
export const signIn = (env: NodeJS.ProcessEnv) => poolSettings(env);
