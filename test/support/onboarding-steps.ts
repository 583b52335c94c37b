/**
 * The onboarding steps as a customer reads them, in order, written out once for the tests: the tenant model
 * must define these labels and the signup page must list them.
 */
export const EXPECTED_STEP_LABELS = [
  "Reserve tenant",
  "Create identity",
  "Set up namespace",
  "Run deployment pipeline",
  "Activate tenant",
  "Publish tenant events",
  "Send welcome email",
];
