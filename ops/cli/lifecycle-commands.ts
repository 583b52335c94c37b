/** The lifecycle commands' specs (run in lifecycle.ts), in the style of commands.ts. */
import type { CommandSpec } from "./command-spec.js";

const LIFECYCLE_DETAILS =
  "<tenant> is the tenant id or its slug. The command is applied like a billing event created now: it starts\n" +
  "the same workflow a billing event would (named <slug>-<workflow>-<n>) and is recorded in the event log.";

const wait = {
  wait: {
    type: "boolean" as const,
    description: "wait for the workflow to end (exit 2 if it does not succeed)",
  },
};

const run =
  (command: "offboard" | "suspend" | "reactivate"): CommandSpec["run"] =>
  async (ctx, [ref], o) =>
    (await import("./lifecycle.js")).lifecycleCommand(ctx, command, ref ?? "", { wait: o.wait === true });

export const LIFECYCLE_COMMANDS: CommandSpec[] = [
  {
    name: "offboard",
    args: ["tenant"],
    summary: "Offboard a tenant: namespace, dedicated resources and user pool deleted; record kept",
    details: LIFECYCLE_DETAILS,
    options: wait,
    run: run("offboard"),
  },
  {
    name: "suspend",
    args: ["tenant"],
    summary: "Suspend a tenant now: users disabled, no new pods",
    details: LIFECYCLE_DETAILS,
    options: wait,
    run: run("suspend"),
  },
  {
    name: "reactivate",
    args: ["tenant"],
    summary: "Reactivate a suspended tenant",
    details: LIFECYCLE_DETAILS,
    options: wait,
    run: run("reactivate"),
  },
  {
    name: "change-plan",
    args: ["tenant", "plan"],
    summary: "Move a tenant to another plan (quota, limits, dedicated resources, email)",
    details: LIFECYCLE_DETAILS,
    options: wait,
    run: async (ctx, [ref, plan], o) =>
      (await import("./lifecycle.js")).lifecycleCommand(ctx, "change-plan", ref ?? "", {
        plan: plan ?? "",
        wait: o.wait === true,
      }),
  },
];
