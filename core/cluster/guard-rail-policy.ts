/**
 * For real clusters: ValidatingAdmissionPolicies (admissionregistration.k8s.io/v1, Kubernetes ≥ 1.30) that keep
 * a tenant's guard rails as Embark made them, whatever RBAC someone is given later (an EKS Edit policy, a
 * careless ClusterRoleBinding):
 * - `embark-guard-rails`: only the provisioner (group embark-provisioner) may update or delete an object
 *   labelled app.kubernetes.io/managed-by=embark of the guard-rail kinds (Namespace, ResourceQuota, LimitRange,
 *   ServiceAccount, NetworkPolicy, Role, RoleBinding); the namespace controller may still empty a namespace the
 *   provisioner deletes.
 * - `embark-labels`: nobody else may put Embark's labels on an object in a tenant namespace (or on a
 *   Namespace), so a tenant can neither pass its objects off as Embark's nor lock itself out of them.
 * `npm run build:guard-rails` writes them to deploy/kubernetes/guard-rails.yaml (docs/deploy.md); a unit test
 * checks that file is current and evaluates every expression with a CEL interpreter.
 */
import { MANAGED_BY_LABEL, PROVISIONER_GROUP, TENANT_ID_LABEL } from "./tenant-objects.js";

/** The namespace controller deletes a Terminating namespace's contents (after the provisioner deleted it). */
export const NAMESPACE_CONTROLLER = "system:serviceaccount:kube-system:namespace-controller";
/** Embark's label prefix (embark.io/tenant-id, embark.io/plan). */
export const EMBARK_LABEL_PREFIX = TENANT_ID_LABEL.slice(0, TENANT_ID_LABEL.indexOf("/") + 1);

/** The kinds of a tenant's guard rails, by API group. */
export const GUARD_RAIL_RESOURCES = [
  { apiGroups: [""], resources: ["namespaces", "resourcequotas", "limitranges", "serviceaccounts"] },
  { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"] },
  { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"] },
];

const q = (s: string) => `'${s}'`;
const managedBy = (obj: string) =>
  `has(${obj}.metadata.labels) && ${q(MANAGED_BY_LABEL)} in ${obj}.metadata.labels && ${obj}.metadata.labels[${q(MANAGED_BY_LABEL)}] == 'embark'`;
const isEmbarkLabel = (key: string, obj: string) =>
  `(${key}.startsWith(${q(EMBARK_LABEL_PREFIX)}) || (${key} == ${q(MANAGED_BY_LABEL)} && ${obj}.metadata.labels[${key}] == 'embark'))`;

const notTheProvisioner = {
  name: "not-the-provisioner",
  expression: `!(${q(PROVISIONER_GROUP)} in request.userInfo.groups)`,
};
const managedSelector = { matchLabels: { [MANAGED_BY_LABEL]: "embark" } };

export function guardRailPolicies() {
  const guardRails = {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: "embark-guard-rails", labels: { [MANAGED_BY_LABEL]: "embark" } },
    spec: {
      failurePolicy: "Fail",
      matchConstraints: {
        // Only objects Embark labelled (old or new labels: relabelling one is caught too).
        objectSelector: managedSelector,
        resourceRules: GUARD_RAIL_RESOURCES.map((r) => ({
          ...r,
          apiVersions: ["*"],
          operations: ["UPDATE", "DELETE"],
        })),
      },
      matchConditions: [
        notTheProvisioner,
        {
          name: "not-a-namespace-being-emptied",
          expression: `!(request.operation == 'DELETE' && request.userInfo.username == ${q(NAMESPACE_CONTROLLER)})`,
        },
      ],
      validations: [
        {
          expression: `!(oldObject != null && ${managedBy("oldObject")})`,
          messageExpression: `request.kind.kind + ' ' + oldObject.metadata.name + ' is a guard rail Embark manages: only the ${PROVISIONER_GROUP} group may ' + (request.operation == 'DELETE' ? 'delete' : 'change') + ' it'`,
          reason: "Forbidden",
        },
      ],
    },
  };
  const labels = {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: "embark-labels", labels: { [MANAGED_BY_LABEL]: "embark" } },
    spec: {
      failurePolicy: "Fail",
      matchConstraints: {
        // Tenant namespaces (a Namespace is matched by its own labels) and every namespaced object in them.
        namespaceSelector: managedSelector,
        resourceRules: [
          {
            apiGroups: ["*"],
            apiVersions: ["*"],
            operations: ["CREATE", "UPDATE"],
            resources: ["*"],
            scope: "Namespaced",
          },
          {
            apiGroups: [""],
            apiVersions: ["v1"],
            operations: ["CREATE", "UPDATE"],
            resources: ["namespaces"],
          },
        ],
      },
      matchConditions: [notTheProvisioner],
      validations: [
        {
          // Every Embark label on the object was there, with the same value, before this request.
          expression: `!has(object.metadata.labels) || object.metadata.labels.all(k, !${isEmbarkLabel("k", "object")} || (oldObject != null && has(oldObject.metadata.labels) && k in oldObject.metadata.labels && oldObject.metadata.labels[k] == object.metadata.labels[k]))`,
          message: `Only Embark may set the ${MANAGED_BY_LABEL}=embark and ${EMBARK_LABEL_PREFIX}* labels`,
          reason: "Forbidden",
        },
      ],
    },
  };
  const binding = (policyName: string) => ({
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name: policyName, labels: { [MANAGED_BY_LABEL]: "embark" } },
    spec: { policyName, validationActions: ["Deny"] },
  });
  return [guardRails, binding("embark-guard-rails"), labels, binding("embark-labels")];
}
