/** Dependencies backed by Cognito user pools: the tenant's identity (pool, client, admins, users). */
import { CognitoIdentityProvisioner } from "../../adapters/identity.js";

export const identity = (_env: NodeJS.ProcessEnv) => new CognitoIdentityProvisioner();
