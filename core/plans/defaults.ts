import { composeEmail } from "../mail/compose.js";
import { DEFAULT_OFFBOARD_GRACE_SECONDS, type Plan, parsePlan } from "./schema.js";

const SIGN_OFF = "The Embark team";
const HELP =
  "Questions? Reply to this email or write to [{{supportEmail}}](mailto:{{supportEmail}}). We're happy to help.";
const SIGN_IN = "[Sign in to Embark]({{loginUrl}})";

/** Every tenant email greets, then says its paragraphs, then offers help and signs off. */
const email = (subject: string, ...paragraphs: string[]) =>
  composeEmail(subject, ["Hi there,", ...paragraphs, HELP, SIGN_OFF]);

/**
 * The invitation Cognito sends with the temporary password. `{####}` is Cognito's code for it
 * (COGNITO_PASSWORD_CODE): Cognito fills it in when it sends the email, so the password appears nowhere else.
 */
export const SHIPPED_INVITATION = email(
  "Your Embark sign-in for {{companyName}}",
  "You're the administrator of **{{companyName}}**'s Embark workspace on the **{{planName}}** plan. Here is how you sign in for the first time.",
  "Email: {{adminEmail}}\nTemporary password: **{####}**",
  "[[Sign in to Embark]]({{loginUrl}})",
  "You'll choose your own password when you first sign in. The temporary password expires after 7 days; if it has, ask us for a new one.",
);

function emails(planNote: string): Plan["emails"] {
  return {
    invitation: SHIPPED_INVITATION,
    welcome: email(
      "Welcome to Embark, {{companyName}}!",
      "Your Embark workspace for **{{companyName}}** is ready on the **{{planName}}** plan.",
      "[[Sign in to Embark]]({{loginUrl}})",
      "Username: {{adminEmail}}\nWorkspace: {{slug}}",
      "Your temporary password arrives in a separate email; you'll choose your own the first time you sign in.",
      planNote,
    ),
    planChanged: email(
      "Your Embark plan is now {{planName}}",
      "**{{companyName}}**'s workspace has moved from the {{previousPlanName}} plan to the **{{planName}}** plan. The new limits apply right away; there's nothing you need to do.",
      SIGN_IN,
    ),
    suspended: email(
      "Your Embark workspace {{slug}} is suspended",
      "We've suspended **{{companyName}}**'s workspace because of a billing issue. Your data is kept, but new workloads can't start while the workspace is suspended.",
      "Update your payment details within **{{graceDays}} days** and everything picks up where you left off. After that, the workspace and its data are removed.",
    ),
    reactivated: email(
      "Welcome back! {{companyName}}'s workspace is active again",
      "Good news: **{{companyName}}**'s Embark workspace is active again on the {{planName}} plan, and new workloads can start as usual.",
      SIGN_IN,
    ),
    farewell: email(
      "Your Embark workspace {{slug}} has been closed",
      "**{{companyName}}**'s Embark workspace has been closed and its data removed. Thank you for building with us.",
      "If you'd like to come back, you're welcome to sign up again at any time.",
    ),
  };
}

/**
 * The lifecycle emails added with the grace period (design §2, retention). A plan may carry its own wording;
 * a plan stored before they existed uses these.
 */
export const SHIPPED_LIFECYCLE_EMAILS = {
  cancelled: email(
    "Your Embark workspace {{slug}} is cancelled: your data is kept until {{purgeAfter}}",
    "**{{companyName}}**'s subscription has ended, so the workspace is closed: nobody can sign in and no workloads run. Nothing has been deleted yet.",
    "Everything is kept until **{{purgeAfter}}**. Subscribe again before then and the workspace comes back exactly as it was, with the same users and data.",
    "A copy of the workspace's records, users and settings is kept at {{exportLocation}}.",
  ),
  restored: email(
    "Welcome back! {{companyName}}'s workspace is restored",
    "**{{companyName}}**'s Embark workspace is restored on the {{planName}} plan: the same users, settings and data as before it was cancelled.",
    SIGN_IN,
  ),
  receipt: email(
    "Deletion receipt for the Embark workspace {{slug}}",
    "As requested, **{{companyName}}**'s Embark workspace was deleted on {{offboardedAt}} ({{cause}}).",
    "Deleted: {{deleted}}.",
    "Before deleting anything we exported the workspace's records, users and settings to {{exportLocation}} (manifest SHA-256 {{exportSha256}}).",
    "The workspace ID **{{slug}}** stays reserved until {{slugReservedUntil}}, so nobody else can take it over.",
  ),
};

/** Shipped defaults, validated at import so a bad edit fails every test run. */
export const DEFAULT_PLANS: Plan[] = [
  {
    id: "free",
    displayName: "Free",
    description: "For trying Embark out and small side projects.",
    monthlyPriceUsd: 0,
    dedicatedResources: false,
    quota: {
      "requests.cpu": "1",
      "requests.memory": "2Gi",
      "limits.cpu": "2",
      "limits.memory": "4Gi",
      pods: "10",
      services: "5",
      persistentvolumeclaims: "2",
      "requests.storage": "5Gi",
    },
    limits: {
      default: { cpu: "500m", memory: "512Mi" },
      defaultRequest: { cpu: "100m", memory: "128Mi" },
      max: { cpu: "1", memory: "2Gi" },
    },
    features: ["1 vCPU and 2 GiB of memory", "Up to 10 pods", "5 GiB of storage", "Community support"],
    billingPriceIds: ["price_free_monthly"],
    suspendGraceDays: 7,
    offboardGraceSeconds: DEFAULT_OFFBOARD_GRACE_SECONDS,
    emails: emails("The Free plan gives you room for 10 pods. Upgrade whenever you need more."),
  },
  {
    id: "standard",
    displayName: "Standard",
    description: "For teams running production workloads.",
    monthlyPriceUsd: 49,
    dedicatedResources: false,
    quota: {
      "requests.cpu": "4",
      "requests.memory": "8Gi",
      "limits.cpu": "8",
      "limits.memory": "16Gi",
      pods: "50",
      services: "20",
      persistentvolumeclaims: "10",
      "requests.storage": "50Gi",
    },
    limits: {
      default: { cpu: "1", memory: "1Gi" },
      defaultRequest: { cpu: "250m", memory: "256Mi" },
      max: { cpu: "2", memory: "4Gi" },
    },
    features: ["4 vCPU and 8 GiB of memory", "Up to 50 pods", "50 GiB of storage", "Email support"],
    billingPriceIds: ["price_standard_monthly", "price_standard_yearly"],
    suspendGraceDays: 14,
    offboardGraceSeconds: DEFAULT_OFFBOARD_GRACE_SECONDS,
    emails: emails("Your Standard plan includes email support; we answer within one business day."),
  },
  {
    id: "enterprise",
    displayName: "Enterprise",
    description: "Dedicated resources and priority support for critical workloads.",
    monthlyPriceUsd: 499,
    dedicatedResources: true,
    quota: {
      "requests.cpu": "16",
      "requests.memory": "64Gi",
      "limits.cpu": "32",
      "limits.memory": "128Gi",
      pods: "200",
      services: "100",
      persistentvolumeclaims: "50",
      "requests.storage": "500Gi",
    },
    limits: {
      default: { cpu: "2", memory: "4Gi" },
      defaultRequest: { cpu: "500m", memory: "512Mi" },
      max: { cpu: "8", memory: "32Gi" },
    },
    features: [
      "16 vCPU and 64 GiB of memory",
      "Up to 200 pods",
      "500 GiB of storage",
      "Dedicated resources",
      "Priority support",
    ],
    billingPriceIds: ["price_enterprise_monthly", "price_enterprise_yearly"],
    suspendGraceDays: 30,
    offboardGraceSeconds: DEFAULT_OFFBOARD_GRACE_SECONDS,
    emails: emails("Your dedicated Enterprise resources are set up, and priority support is a reply away."),
  },
].map(parsePlan);
