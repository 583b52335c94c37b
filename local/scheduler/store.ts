/** Schedules and when each fires next, kept as one JSON file so they survive restarts of the local cloud. */
import { join } from "node:path";
import { StateFile } from "../aws/state-file.js";

export interface TargetRecord {
  Arn: string;
  RoleArn: string;
  Input?: string;
  RetryPolicy?: { MaximumEventAgeInSeconds?: number; MaximumRetryAttempts?: number };
  DeadLetterConfig?: { Arn?: string };
}

export interface ScheduleRecord {
  Name: string;
  GroupName: string;
  Arn: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  /** Epoch ms. */
  StartDate?: number;
  EndDate?: number;
  Description?: string;
  State: "ENABLED" | "DISABLED";
  Target: TargetRecord;
  FlexibleTimeWindow: { Mode: "OFF" | "FLEXIBLE"; MaximumWindowInMinutes?: number };
  ActionAfterCompletion: "NONE" | "DELETE";
  KmsKeyArn?: string;
  CreationDate: number;
  LastModificationDate: number;
  /** Where a rate schedule's grid starts (its start date, or when it was created or re-timed). */
  anchor: number;
  /** When it fires next (epoch ms); absent once it has nothing left to fire. */
  nextAt?: number;
  lastFiredAt?: number;
}

interface SchedulerState {
  version: 1;
  schedules: ScheduleRecord[];
}

export class ScheduleStore {
  /** Keyed by `${group}/${name}`. */
  readonly schedules = new Map<string, ScheduleRecord>();
  private readonly file: StateFile<SchedulerState>;

  constructor(dir: string) {
    this.file = new StateFile(join(dir, "scheduler.json"));
  }

  async load(): Promise<void> {
    const state = await this.file.read();
    for (const s of state?.schedules ?? []) this.schedules.set(scheduleKey(s.GroupName, s.Name), s);
  }

  /** Writes the whole state (write-then-rename, one write at a time) and resolves when it is on disk. */
  save(): Promise<void> {
    return this.file.write({ version: 1, schedules: [...this.schedules.values()] });
  }

  flush(): Promise<void> {
    return this.file.flush();
  }
}

export function scheduleKey(group: string, name: string): string {
  return `${group}/${name}`;
}
