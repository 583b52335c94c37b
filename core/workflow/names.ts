// Execution and state machine names (contract: design §4). Executions are named `<slug>-<workflow>-<n>`, so a
// duplicate start with the same name and input is a no-op in Step Functions (names are unique for 90 days).

/** `cancel` retains a cancelled tenant (grace period), `restore` brings it back, `offboard` purges it. */
export const WORKFLOWS = [
  "onboard",
  "plan-change",
  "suspend",
  "reactivate",
  "cancel",
  "restore",
  "offboard",
] as const;
export type Workflow = (typeof WORKFLOWS)[number];
export type LifecycleWorkflow = Exclude<Workflow, "onboard">;
export const LIFECYCLE_WORKFLOWS = WORKFLOWS.filter((w): w is LifecycleWorkflow => w !== "onboard");

export const STATE_MACHINE_NAMES = {
  onboarding: "embark-onboarding",
  planChange: "embark-plan-change",
  suspend: "embark-suspend",
  reactivate: "embark-reactivate",
  cancel: "embark-cancel",
  restore: "embark-restore",
  offboard: "embark-offboard",
} as const;
export type StateMachineName = (typeof STATE_MACHINE_NAMES)[keyof typeof STATE_MACHINE_NAMES];

export type StateMachineKey = keyof typeof STATE_MACHINE_NAMES;

/** Which state machine (by key) runs each workflow. */
export const STATE_MACHINE_OF: Readonly<Record<Workflow, StateMachineKey>> = {
  onboard: "onboarding",
  "plan-change": "planChange",
  suspend: "suspend",
  reactivate: "reactivate",
  cancel: "cancel",
  restore: "restore",
  offboard: "offboard",
};

/** Which state machine (by name) runs each workflow. */
export const STATE_MACHINE_FOR_WORKFLOW = Object.fromEntries(
  WORKFLOWS.map((w) => [w, STATE_MACHINE_NAMES[STATE_MACHINE_OF[w]]]),
) as Readonly<Record<Workflow, StateMachineName>>;

/** AWS allows 80 characters; we keep to the characters CloudWatch Logs also accepts. */
export const MAX_EXECUTION_NAME_LENGTH = 80;
const EXECUTION_NAME_CHARS = /^[A-Za-z0-9_-]+$/;
const EXECUTION_NAME = new RegExp(`^(.+)-(${WORKFLOWS.join("|")})-([1-9][0-9]*)$`);

export interface ExecutionNameParts {
  slug: string;
  workflow: Workflow;
  n: number;
}

export function executionName(slug: string, workflow: Workflow, n: number): string {
  if (!Number.isSafeInteger(n) || n < 1)
    throw new RangeError(`execution number must be a positive integer: ${n}`);
  if (!(WORKFLOWS as readonly string[]).includes(workflow))
    throw new RangeError(`unknown workflow: ${workflow}`);
  if (slug.length === 0 || !EXECUTION_NAME_CHARS.test(slug)) {
    throw new RangeError(`slug must be non-empty and use only A-Z a-z 0-9 - _: ${JSON.stringify(slug)}`);
  }
  const name = `${slug}-${workflow}-${n}`;
  if (name.length > MAX_EXECUTION_NAME_LENGTH) {
    throw new RangeError(`execution name longer than ${MAX_EXECUTION_NAME_LENGTH} characters: ${name}`);
  }
  return name;
}

/** Parses `<slug>-<workflow>-<n>`; undefined for names Embark did not make. */
export function parseExecutionName(name: string): ExecutionNameParts | undefined {
  if (name.length > MAX_EXECUTION_NAME_LENGTH || !EXECUTION_NAME_CHARS.test(name)) return undefined;
  const match = EXECUTION_NAME.exec(name);
  if (!match) return undefined;
  const [, slug, workflow, digits] = match;
  if (slug === undefined || workflow === undefined || digits === undefined) return undefined;
  const n = Number(digits);
  if (!Number.isSafeInteger(n)) return undefined;
  return { slug, workflow: workflow as Workflow, n };
}
