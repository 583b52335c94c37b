/**
 * A bare local cloud (no app wired) in a child process, for tests that SIGKILL it and start it again on the
 * same state directory: `tsx crash-cloud-bare.ts <stateDir> <recordFile>`. Prints `CRASH_CLOUD <endpoints>` when
 * ready. Its fixture functions append each event they run to <recordFile>:
 * - crash-hang: waits (up to its 30 s timeout) while `<recordFile>.gate` is missing, then records;
 * - crash-flaky: records an attempt line, and fails while the gate file is missing.
 */
import { access, appendFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { startLocalCloud } from "../../local/cloud.js";

const [stateDir, recordFile] = process.argv.slice(2);
if (!stateDir || !recordFile) throw new Error("usage: crash-cloud-bare.ts <stateDir> <recordFile>");
const gateOpen = () =>
  access(`${recordFile}.gate`).then(
    () => true,
    () => false,
  );
const record = (fn: string, event: unknown, note: string) =>
  appendFile(recordFile, `${JSON.stringify({ fn, event, note, pid: process.pid })}\n`);

const cloud = await startLocalCloud({
  stateDir,
  edgePort: 0,
  webPort: 0,
  kubePort: 0,
  functions: [
    {
      name: "crash-hang",
      load: async () => async (event: unknown) => {
        while (!(await gateOpen())) await sleep(50);
        await record("crash-hang", event, "ran");
        return { ok: true };
      },
    },
    {
      name: "crash-flaky",
      load: async () => async (event: unknown) => {
        const open = await gateOpen();
        await record("crash-flaky", event, open ? "ran" : "failed");
        if (!open) throw new Error("gate closed");
        return { ok: true };
      },
    },
  ],
});
console.log(`CRASH_CLOUD ${JSON.stringify(cloud.endpoints)}`);
process.on("SIGTERM", () => void cloud.stop().then(() => process.exit(0)));
