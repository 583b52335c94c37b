/** Dependencies backed by SES: the mail sender, and the addresses tenant emails use. */
import { SesMailSender } from "../../adapters/mail-sender.js";
import { mailSettings } from "../environment.js";
import { SETTINGS } from "../resources.js";

export const sender = (env: NodeJS.ProcessEnv) =>
  new SesMailSender(mailSettings(env).from, undefined, env[SETTINGS.sesConfigurationSet] || undefined);
export const settings = (env: NodeJS.ProcessEnv) => mailSettings(env);
