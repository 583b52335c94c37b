/** Account and Region the local cloud pretends to be; every ARN it mints uses them. */
export const LOCAL_ACCOUNT_ID = "000000000000";
export const LOCAL_REGION = "us-east-1";
/** Static credentials the local cloud accepts (it does not verify signatures). */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;
