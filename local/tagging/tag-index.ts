/**
 * Tags of local resources, indexed by tag so the Resource Groups Tagging API's GetResources finds a resource by
 * a tag in O(1), whatever the number of resources (AWS keeps such an index too; a listing per lookup is what
 * issue 12 removed from the hot path). Services that own resources (local/cognito for user pools) tell it what
 * they create, re-tag and delete.
 *
 * Durable: every change is one line appended to `tags.jsonl` in the state directory (a torn last line after a
 * crash is skipped when the log is replayed at start), and the log is rewritten compactly at start. Gaps:
 * resources made before the index existed (older state directories) are not in it; changes are indexed at once,
 * where AWS's tagging index lags by seconds.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export type Tags = Record<string, string>;

export class TagIndex {
  private readonly byArn = new Map<string, Tags>();
  private readonly byTag = new Map<string, Set<string>>();

  constructor(private readonly file?: string) {
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    if (existsSync(file)) {
      for (const line of readFileSync(file, "utf8").split("\n")) {
        if (!line.trim()) continue;
        try {
          const { arn, tags } = JSON.parse(line) as { arn: string; tags: Tags | null };
          this.apply(arn, tags);
        } catch {
          // A line torn by a crash mid-append: its change was never acknowledged.
        }
      }
    }
    const compact = [...this.byArn].map(([arn, tags]) => `${JSON.stringify({ arn, tags })}\n`).join("");
    writeFileSync(`${file}.tmp`, compact);
    renameSync(`${file}.tmp`, file);
  }

  /** Sets the resource's tags (all of them); null forgets the resource. */
  set(arn: string, tags: Tags | null): void {
    this.apply(arn, tags);
    if (this.file) appendFileSync(this.file, `${JSON.stringify({ arn, tags })}\n`);
  }

  /** Merges tags into what the resource has (TagResource). */
  merge(arn: string, tags: Tags): void {
    this.set(arn, { ...(this.byArn.get(arn) ?? {}), ...tags });
  }

  tagsOf(arn: string): Tags | undefined {
    return this.byArn.get(arn);
  }

  /**
   * Resources with every filter's key set to one of its values (no values: the key set to anything), as
   * GetResources' TagFilters do. The first filter with values picks the candidates from the index.
   */
  find(filters: Array<{ key: string; values?: string[] }>): string[] {
    const indexed = filters.find((f) => f.values && f.values.length > 0);
    const candidates = indexed
      ? indexed.values!.flatMap((v) => [...(this.byTag.get(tagKey(indexed.key, v)) ?? [])])
      : [...this.byArn.keys()];
    return [...new Set(candidates)].filter((arn) => {
      const tags = this.byArn.get(arn) ?? {};
      return filters.every((f) =>
        f.values && f.values.length > 0 ? f.values.includes(tags[f.key] ?? "\u0000") : f.key in tags,
      );
    });
  }

  private apply(arn: string, tags: Tags | null): void {
    for (const [k, v] of Object.entries(this.byArn.get(arn) ?? {})) this.byTag.get(tagKey(k, v))?.delete(arn);
    if (!tags) {
      this.byArn.delete(arn);
      return;
    }
    this.byArn.set(arn, { ...tags });
    for (const [k, v] of Object.entries(tags)) {
      const key = tagKey(k, v);
      const set = this.byTag.get(key) ?? new Set<string>();
      set.add(arn);
      this.byTag.set(key, set);
    }
  }
}

const tagKey = (k: string, v: string) => `${k}\u0000${v}`;

const indexes = new Map<string, TagIndex>();
/** The one index of a local cloud's state directory (the tagging service and the resource owners share it). */
export function tagIndexFor(stateDir: string): TagIndex {
  const file = join(stateDir, "tagging", "tags.jsonl");
  const known = indexes.get(file);
  // A state directory wiped since (a fresh start in this process) starts a fresh index.
  if (known && existsSync(file)) return known;
  const index = new TagIndex(file);
  indexes.set(file, index);
  return index;
}
