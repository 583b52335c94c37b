/** `Accept: application/json;as=Table;g=meta.k8s.io;v=v1` (what `kubectl get` asks for): server-side columns. */
import { apiVersionOf, isRecord, type KubeObject, type ResourceType } from "./resources.js";

type Column = [name: string, format: string, cell: (o: KubeObject) => string | number];

/** duration.HumanDuration, as kubectl shows AGE. */
function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 0) return "0s";
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  const pair = (a: number, ua: string, b: number, ub: string) =>
    b === 0 ? `${a}${ua}` : `${a}${ua}${b}${ub}`;
  if (m < 10) return pair(m, "m", s % 60, "s");
  if (m < 180) return `${m}m`;
  if (h < 8) return pair(h, "h", m % 60, "m");
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return pair(d, "d", h % 24, "h");
  if (h < 24 * 365 * 2) return `${d}d`;
  return pair(Math.floor(d / 365), "y", d % 365, "d");
}

const age: Column = [
  "Age",
  "",
  (o) => humanDuration(Date.now() - Date.parse(o.metadata.creationTimestamp ?? "")),
];
const createdAt: Column = ["Created At", "date", (o) => o.metadata.creationTimestamp ?? ""];
const spec = (o: KubeObject): Record<string, unknown> => (isRecord(o.spec) ? o.spec : {});

function selector(sel: unknown): string {
  if (!isRecord(sel)) return "<none>";
  const labels = Object.entries(isRecord(sel.matchLabels) ? sel.matchLabels : {}).map(
    ([k, v]) => `${k}=${v}`,
  );
  const exprs = (Array.isArray(sel.matchExpressions) ? sel.matchExpressions : []).map(
    (e: Record<string, unknown>) =>
      Array.isArray(e.values) && e.values.length
        ? `${e.key} ${String(e.operator).toLowerCase()} (${e.values.join(",")})`
        : `${e.operator === "DoesNotExist" ? "!" : ""}${e.key}`,
  );
  return [...labels, ...exprs].join(",") || "<none>";
}

/** The same columns kube-apiserver's printers give these kinds (ResourceQuota usage is never computed here). */
const COLUMNS: Record<string, Column[]> = {
  Namespace: [["Status", "", (o) => String((o.status as { phase?: string } | undefined)?.phase ?? "")], age],
  ResourceQuota: [age],
  LimitRange: [createdAt],
  ServiceAccount: [["Secrets", "", (o) => (Array.isArray(o.secrets) ? o.secrets.length : 0)], age],
  NetworkPolicy: [["Pod-Selector", "", (o) => selector(spec(o).podSelector)], age],
  Role: [createdAt],
  RoleBinding: [["Role", "", (o) => (isRecord(o.roleRef) ? `${o.roleRef.kind}/${o.roleRef.name}` : "")], age],
};

export const wantsTable = (accept: string | undefined): boolean =>
  /as=Table/.test(accept ?? "") && /g=meta\.k8s\.io/.test(accept ?? "");

export function toTable(
  rt: ResourceType,
  objects: KubeObject[],
  resourceVersion: string,
  includeObject: string | null,
) {
  const columns: Column[] = [["Name", "name", (o) => o.metadata.name ?? ""], ...(COLUMNS[rt.kind] ?? [age])];
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { resourceVersion },
    columnDefinitions: columns.map(([name, format]) => ({
      name,
      type: "string",
      format,
      description: "",
      priority: 0,
    })),
    rows: objects.map((o) => ({
      cells: columns.map(([, , cell]) => cell(o)),
      ...(includeObject === "None"
        ? {}
        : {
            object:
              includeObject === "Object"
                ? { ...o, apiVersion: apiVersionOf(rt), kind: rt.kind }
                : { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata },
          }),
    })),
  };
}
