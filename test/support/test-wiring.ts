import type { LocalCloud } from "../../local/cloud.js";
import { mountEmbark } from "../../local/embark/mount.js";
import { fixtureFunctions } from "./fixture-functions.js";
import { wireSqsFixtures } from "./fixture-functions-sqs.js";
import { wireWebFixtures } from "./fixture-functions-web.js";

/** Embark's own wiring plus the fixtures the local-cloud suites use. */
export async function testWiring(cloud: LocalCloud): Promise<void> {
  for (const def of fixtureFunctions) cloud.functions.register(def);
  // Schedules created DISABLED: suites reconcile on demand, so a scheduled pass never races their assertions.
  // A second of grace between a cancellation and its purge: suites that assert the purge see it run; suites that
  // assert retention give their cancellation a grace period of its own (`ops offboard --grace`, a plan of theirs).
  await mountEmbark(cloud, { schedules: false, offboardGraceSeconds: 1 });
  await wireSqsFixtures(cloud);
  await wireWebFixtures(cloud);
}
