/** A packaged emulator started in this process, listening on its own loopback port behind the edge. */
export interface RunningEmulator {
  /** SigV4 credential-scope service names the edge routes to this emulator. */
  signingNames: string[];
  /** X-Amz-Target prefixes that identify unsigned requests for this emulator (e.g. Cognito's InitiateAuth). */
  targetPrefixes?: string[];
  url: string;
  stop(): Promise<void>;
}
