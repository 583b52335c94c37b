// The lifecycle state machines by workflow: their names and definitions, for whoever deploys them (stacks/ on
// AWS, local/wiring/ in the local cloud).

import type { StateMachineDefinition } from "../workflow/asl.js";
import { STATE_MACHINE_NAMES, type StateMachineName, type Workflow } from "../workflow/names.js";
import type { LifecycleResources } from "./email-task.js";
import { offboardDefinition } from "./offboard.js";
import { planChangeDefinition } from "./plan-change.js";
import { reactivateDefinition } from "./reactivate.js";
import { suspendDefinition } from "./suspend.js";

export type LifecycleWorkflow = Exclude<Workflow, "onboard">;

export const LIFECYCLE_MACHINES: Readonly<
  Record<
    LifecycleWorkflow,
    { name: StateMachineName; definition: (r: LifecycleResources) => StateMachineDefinition }
  >
> = {
  "plan-change": { name: STATE_MACHINE_NAMES.planChange, definition: planChangeDefinition },
  suspend: { name: STATE_MACHINE_NAMES.suspend, definition: suspendDefinition },
  reactivate: { name: STATE_MACHINE_NAMES.reactivate, definition: reactivateDefinition },
  offboard: { name: STATE_MACHINE_NAMES.offboard, definition: offboardDefinition },
};

export const LIFECYCLE_WORKFLOWS = Object.keys(LIFECYCLE_MACHINES) as LifecycleWorkflow[];
