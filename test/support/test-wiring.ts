import type { LocalCloud } from "../../local/cloud.js";
import { wireEmbark } from "../../local/wiring/embark.js";

/** Embark's own wiring plus the fixtures the local-cloud suites use. */
export async function testWiring(cloud: LocalCloud): Promise<void> {
  await wireEmbark(cloud);
}
