/** Pipelines and their executions, kept as one JSON file so they survive restarts of the local cloud. */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface VariableDeclaration {
  name: string;
  defaultValue?: string;
  description?: string;
}

export interface ActionDeclaration {
  name: string;
  actionTypeId: { category: string; owner: string; provider: string; version: string };
  runOrder?: number;
  configuration?: Record<string, string>;
  [key: string]: unknown;
}

export interface StageDeclaration {
  name: string;
  actions: ActionDeclaration[];
  [key: string]: unknown;
}

export type ExecutionMode = "QUEUED" | "PARALLEL";

export interface PipelineRecord {
  name: string;
  version: number;
  variables: VariableDeclaration[];
  stages: StageDeclaration[];
  executionMode: ExecutionMode;
  roleArn?: string;
  artifactStore?: unknown;
  created: number;
  updated: number;
}

export type ExecutionStatus = "InProgress" | "Stopping" | "Stopped" | "Succeeded" | "Failed";

export interface ExecutionRecord {
  pipelineName: string;
  pipelineVersion: number;
  pipelineExecutionId: string;
  status: ExecutionStatus;
  statusSummary?: string;
  variables: Array<{ name: string; resolvedValue: string }>;
  executionMode: ExecutionMode;
  trigger: { triggerType: string; triggerDetail: string };
  stopTrigger?: { reason?: string };
  clientRequestToken?: string;
  startTime: number;
  lastUpdateTime: number;
}

interface StateFile {
  version: 1;
  pipelines: PipelineRecord[];
  executions: ExecutionRecord[];
}

export class PipelineStore {
  readonly pipelines = new Map<string, PipelineRecord>();
  readonly executions = new Map<string, ExecutionRecord>();
  private readonly file: string;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string) {
    this.file = join(dir, "codepipeline.json");
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
    for (const p of state.pipelines ?? []) this.pipelines.set(p.name, p);
    for (const e of state.executions ?? []) this.executions.set(e.pipelineExecutionId, e);
  }

  /** Writes the whole state (write-then-rename, one write at a time) and resolves when it is on disk. */
  save(): Promise<void> {
    const state: StateFile = {
      version: 1,
      pipelines: [...this.pipelines.values()],
      executions: [...this.executions.values()],
    };
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
