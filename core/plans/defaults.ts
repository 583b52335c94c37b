import { type EmailTemplate, type Plan, parsePlan } from "./schema.js";

/** A plain, inline-styled HTML email body; paragraphs may hold placeholders and simple markup. */
function html(paragraphs: string[]): string {
  const body = paragraphs.map((p) => `<p style="margin:0 0 16px">${p}</p>`).join("\n    ");
  return `<!doctype html>
<html>
  <body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2933">
    ${body}
  </body>
</html>`;
}

const signOff = "The Embark team";
const help = "Questions? Reply to this email or write to {{supportEmail}}. We're happy to help.";
const helpHtml = `Questions? Reply to this email or write to <a href="mailto:{{supportEmail}}">{{supportEmail}}</a>. We're happy to help.`;

function emails(planNote: string): Plan["emails"] {
  const welcome: EmailTemplate = {
    subject: "Welcome to Embark, {{companyName}}!",
    text: [
      "Hi there,",
      "Your Embark workspace for {{companyName}} is ready on the {{planName}} plan.",
      "Sign in: {{loginUrl}}\nUsername: {{adminEmail}}\nWorkspace: {{slug}}",
      "Your temporary password arrives in a separate email; you'll choose your own the first time you sign in.",
      planNote,
      help,
      signOff,
    ].join("\n\n"),
    html: html([
      "Hi there,",
      "Your Embark workspace for <strong>{{companyName}}</strong> is ready on the <strong>{{planName}}</strong> plan.",
      `<a href="{{loginUrl}}" style="display:inline-block;padding:10px 18px;background:#2563eb;color:#fff;border-radius:6px;text-decoration:none">Sign in to Embark</a>`,
      "Username: {{adminEmail}}<br>Workspace: {{slug}}",
      "Your temporary password arrives in a separate email; you'll choose your own the first time you sign in.",
      planNote,
      helpHtml,
      signOff,
    ]),
  };
  const planChanged: EmailTemplate = {
    subject: "Your Embark plan is now {{planName}}",
    text: [
      "Hi there,",
      "{{companyName}}'s workspace has moved from the {{previousPlanName}} plan to the {{planName}} plan. The new limits apply right away; there's nothing you need to do.",
      "Sign in: {{loginUrl}}",
      help,
      signOff,
    ].join("\n\n"),
    html: html([
      "Hi there,",
      "<strong>{{companyName}}</strong>'s workspace has moved from the {{previousPlanName}} plan to the <strong>{{planName}}</strong> plan. The new limits apply right away; there's nothing you need to do.",
      `<a href="{{loginUrl}}">Sign in to Embark</a>`,
      helpHtml,
      signOff,
    ]),
  };
  const suspended: EmailTemplate = {
    subject: "Your Embark workspace {{slug}} is suspended",
    text: [
      "Hi there,",
      "We've suspended {{companyName}}'s workspace because of a billing issue. Your data is kept, but new workloads can't start while the workspace is suspended.",
      "Update your payment details within {{graceDays}} days and everything picks up where you left off. After that, the workspace and its data are removed.",
      help,
      signOff,
    ].join("\n\n"),
    html: html([
      "Hi there,",
      "We've suspended <strong>{{companyName}}</strong>'s workspace because of a billing issue. Your data is kept, but new workloads can't start while the workspace is suspended.",
      "Update your payment details within <strong>{{graceDays}} days</strong> and everything picks up where you left off. After that, the workspace and its data are removed.",
      helpHtml,
      signOff,
    ]),
  };
  const reactivated: EmailTemplate = {
    subject: "Welcome back! {{companyName}}'s workspace is active again",
    text: [
      "Hi there,",
      "Good news: {{companyName}}'s Embark workspace is active again on the {{planName}} plan, and new workloads can start as usual.",
      "Sign in: {{loginUrl}}",
      help,
      signOff,
    ].join("\n\n"),
    html: html([
      "Hi there,",
      "Good news: <strong>{{companyName}}</strong>'s Embark workspace is active again on the {{planName}} plan, and new workloads can start as usual.",
      `<a href="{{loginUrl}}">Sign in to Embark</a>`,
      helpHtml,
      signOff,
    ]),
  };
  const farewell: EmailTemplate = {
    subject: "Your Embark workspace {{slug}} has been closed",
    text: [
      "Hi there,",
      "{{companyName}}'s Embark workspace has been closed and its data removed. Thank you for building with us.",
      "If you'd like to come back, you're welcome to sign up again at any time.",
      help,
      signOff,
    ].join("\n\n"),
    html: html([
      "Hi there,",
      "<strong>{{companyName}}</strong>'s Embark workspace has been closed and its data removed. Thank you for building with us.",
      "If you'd like to come back, you're welcome to sign up again at any time.",
      helpHtml,
      signOff,
    ]),
  };
  return { welcome, planChanged, suspended, reactivated, farewell };
}

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
    emails: emails("Your dedicated Enterprise resources are set up, and priority support is a reply away."),
  },
].map(parsePlan);
