/** An in-memory ExportStore (core/ports.ts) for unit tests: the objects by key, and every put in order. */
import type { ExportStore } from "../../../core/ports.js";

export class FakeExportStore implements ExportStore {
  readonly bucket = "embark-exports-test";
  readonly objects = new Map<string, { body: string; contentType: string }>();
  readonly puts: string[] = [];
  /** Set to make the next put fail (an S3 outage), once. */
  failNext?: Error;

  async put(key: string, body: string, contentType: string): Promise<void> {
    if (this.failNext) {
      const err = this.failNext;
      this.failNext = undefined;
      throw err;
    }
    this.puts.push(key);
    this.objects.set(key, { body, contentType });
  }
}
