/** Event buses, rules and their targets, kept as one JSON file so they survive restarts of the local cloud. */

import { join } from "node:path";
import { StateFile } from "../aws/state-file.js";
import type { TargetInputConfig } from "./input.js";

/** A rule's target as PutTargets takes it. */
export interface Target extends TargetInputConfig {
  Id: string;
  Arn: string;
  RoleArn?: string;
  DeadLetterConfig?: { Arn?: string };
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  SqsParameters?: { MessageGroupId?: string };
  [key: string]: unknown;
}

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

interface RuleState {
  version: 1;
  buses: BusRecord[];
  rules: RuleRecord[];
}

export class RuleStore {
  readonly buses = new Map<string, BusRecord>();
  /** Keyed by `${bus}/${rule}`. */
  readonly rules = new Map<string, RuleRecord>();
  private readonly file: StateFile<RuleState>;

  constructor(dir: string) {
    this.file = new StateFile(join(dir, "eventbridge.json"));
  }

  async load(): Promise<void> {
    const state = await this.file.read();
    if (!state) return;
    for (const bus of state.buses ?? []) this.buses.set(bus.Name, bus);
    for (const rule of state.rules ?? []) this.rules.set(ruleKey(rule.EventBusName, rule.Name), rule);
  }

  /** Writes the whole state (write-then-rename, one write at a time) and resolves when it is on disk. */
  save(): Promise<void> {
    return this.file.write({ version: 1, buses: [...this.buses.values()], rules: [...this.rules.values()] });
  }

  flush(): Promise<void> {
    return this.file.flush();
  }
}

export function ruleKey(bus: string, rule: string): string {
  return `${bus}/${rule}`;
}
