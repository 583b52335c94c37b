import type { LocalCloud } from "../../local/cloud.js";
import { mountEmbark } from "../../local/embark/mount.js";
import { fixtureFunctions } from "./fixture-functions.js";
import { wireSqsFixtures } from "./fixture-functions-sqs.js";
import { wireWebFixtures } from "./fixture-functions-web.js";

/** Embark's own wiring plus the fixtures the local-cloud suites use. */
export async function testWiring(cloud: LocalCloud): Promise<void> {
  for (const def of fixtureFunctions) cloud.functions.register(def);
  // Schedules created DISABLED: suites reconcile on demand, so a scheduled pass never races their assertions.
  await mountEmbark(cloud, { schedules: false });
  await wireSqsFixtures(cloud);
  await wireWebFixtures(cloud);
}
