/**
 * Discovery documents (/version, /api, /apis, resource lists) and an OpenAPI v3 stub. The stub only has one PATCH
 * operation per kind, tagged with x-kubernetes-group-version-kind and listing the fieldValidation parameter: that
 * is what kubectl looks for to leave validation to the server; without it, it wants the full v2 schema.
 */
import { createHash } from "node:crypto";
import { apiVersionOf, RESOURCES, type ResourceType } from "./resources.js";

export const version = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.0",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2025-01-01T00:00:00Z",
  goVersion: "go1.23.4",
  compiler: "gc",
  platform: "linux/amd64",
};

const groups = [...new Set(RESOURCES.filter((r) => r.group).map((r) => r.group))];

export const apiVersions = (serverAddress: string) => ({
  kind: "APIVersions",
  versions: ["v1"],
  serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
});

const apiGroup = (name: string) => {
  const v = { groupVersion: `${name}/v1`, version: "v1" };
  return { name, versions: [v], preferredVersion: v };
};

export const apiGroupList = () => ({ kind: "APIGroupList", apiVersion: "v1", groups: groups.map(apiGroup) });

export const apiGroupDoc = (name: string) =>
  groups.includes(name) ? { kind: "APIGroup", apiVersion: "v1", ...apiGroup(name) } : undefined;

const inGroupVersion = (group: string, version: string): ResourceType[] =>
  RESOURCES.filter((r) => r.group === group && r.version === version);

export function resourceList(group: string, version: string) {
  const kinds = inGroupVersion(group, version);
  if (kinds.length === 0) return undefined;
  return {
    kind: "APIResourceList",
    ...(group ? { apiVersion: "v1" } : {}),
    groupVersion: group ? `${group}/${version}` : version,
    resources: kinds.map((r) => ({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
    })),
  };
}

const gvKey = (group: string, version: string): string =>
  group ? `apis/${group}/${version}` : `api/${version}`;

function openapiDoc(group: string, version: string) {
  const query = (name: string, type: string) => ({ name, in: "query", schema: { type, uniqueItems: true } });
  const paths = Object.fromEntries(
    inGroupVersion(group, version).map((r) => [
      `/${gvKey(group, version)}/${r.namespaced ? "namespaces/{namespace}/" : ""}${r.plural}/{name}`,
      {
        patch: {
          operationId: `patch${r.namespaced ? "Namespaced" : ""}${r.kind}`,
          parameters: [
            query("dryRun", "string"),
            query("fieldManager", "string"),
            query("fieldValidation", "string"),
            query("force", "boolean"),
          ],
          responses: { "200": { description: "OK" } },
          "x-kubernetes-action": "patch",
          "x-kubernetes-group-version-kind": { group: r.group, version: r.version, kind: r.kind },
        },
      },
    ]),
  );
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: version },
    paths,
    components: { schemas: {} },
  };
}

const gvs = [...new Set(RESOURCES.map((r) => apiVersionOf(r)))].map((gv) => {
  const [group, version] = gv.includes("/") ? gv.split("/") : ["", gv];
  const doc = openapiDoc(group!, version!);
  const hash = createHash("sha512").update(JSON.stringify(doc)).digest("hex").toUpperCase();
  return { key: gvKey(group!, version!), doc, hash };
});

export const openapiV3Root = () => ({
  paths: Object.fromEntries(
    gvs.map((g) => [g.key, { serverRelativeURL: `/openapi/v3/${g.key}?hash=${g.hash}` }]),
  ),
});

export const openapiV3 = (key: string) => gvs.find((g) => g.key === key)?.doc;
