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
  (command: "offboard" | "suspend" | "reactivate" | "restore"): CommandSpec["run"] =>
  async (ctx, [ref], o) =>
    (await import("./lifecycle.js")).lifecycleCommand(ctx, command, ref ?? "", {
      wait: o.wait === true,
      ...(typeof o.grace === "string" ? { grace: o.grace } : {}),
      ...(typeof o.confirm === "string" ? { confirm: o.confirm } : {}),
    });

export const LIFECYCLE_COMMANDS: CommandSpec[] = [
  {
    name: "offboard",
    args: ["tenant"],
    summary:
      "Cancel a tenant: retained (sign-in off, no pods, export written) for its grace period, then purged",
    details:
      `${LIFECYCLE_DETAILS}\n` +
      "Nothing is deleted now: the tenant is CANCELLED until purgeAfter (the plan's offboardGraceSeconds, or\n" +
      "--grace), restorable with `restore`; then the purge deletes its namespace, dedicated resources and user\n" +
      "pool and keeps the record with a deletion receipt. A tenant with more users than EMBARK_OFFBOARD_CONFIRM_USERS\n" +
      "(default 10), or on a plan with dedicated resources, needs --confirm <slug>.",
    options: {
      wait: {
        type: "boolean" as const,
        description:
          "wait for the cancellation (and for the purge too when it is due within a minute); exit 2 if one fails",
      },
      grace: {
        type: "string",
        value: "SECONDS",
        description:
          "the grace period before the purge, instead of the plan's (0: purge right after the export)",
      },
      confirm: { type: "string", value: "SLUG", description: "the tenant's slug, typed again (see above)" },
    },
    run: run("offboard"),
  },
  {
    name: "restore",
    args: ["tenant"],
    summary: "Restore a CANCELLED tenant within its grace period: the same pool, users and namespace, ACTIVE",
    details: `${LIFECYCLE_DETAILS}\nAfter the purge it is refused, naming the export.`,
    options: wait,
    run: run("restore"),
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
