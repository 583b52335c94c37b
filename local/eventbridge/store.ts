/** Event buses, rules and their targets, kept as one JSON file so they survive restarts of the local cloud. */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Target } from "./targets.js";

export interface BusRecord {
  Name: string;
  Arn: string;
  Description?: string;
  CreationTime: number;
  LastModifiedTime: number;
}

export interface RuleRecord {
  Name: string;
  Arn: string;
  EventBusName: string;
  EventPattern?: string;
  ScheduleExpression?: string;
  State: string;
  Description?: string;
  RoleArn?: string;
  CreatedAt: number;
  Targets: Target[];
}

interface StateFile {
  version: 1;
  buses: BusRecord[];
  rules: RuleRecord[];
}

export class RuleStore {
  readonly buses = new Map<string, BusRecord>();
  /** Keyed by `${bus}/${rule}`. */
  readonly rules = new Map<string, RuleRecord>();
  private readonly file: string;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string) {
    this.file = join(dir, "eventbridge.json");
  }

  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw err;
    }
    const state = JSON.parse(text) as StateFile;
    for (const bus of state.buses ?? []) this.buses.set(bus.Name, bus);
    for (const rule of state.rules ?? []) this.rules.set(ruleKey(rule.EventBusName, rule.Name), rule);
  }

  /** Writes the whole state (write-then-rename, one write at a time) and resolves when it is on disk. */
  save(): Promise<void> {
    const state: StateFile = { version: 1, buses: [...this.buses.values()], rules: [...this.rules.values()] };
    const text = `${JSON.stringify(state, null, 2)}\n`;
    this.writing = this.writing
      .catch(() => undefined)
      .then(async () => {
        await mkdir(this.dir, { recursive: true });
        const tmp = `${this.file}.${process.pid}.tmp`;
        await writeFile(tmp, text);
        await rename(tmp, this.file);
      });
    return this.writing;
  }

  async flush(): Promise<void> {
    await this.writing.catch(() => undefined);
  }
}

export function ruleKey(bus: string, rule: string): string {
  return `${bus}/${rule}`;
}
