/** ?watch=true: a chunked stream of JSON lines `{"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{…}}`. */
import type { ServerResponse } from "node:http";
import type { KubeRequest } from "./handlers.js";
import { apiVersionOf, type KubeObject } from "./resources.js";
import { fieldSelector, labelSelector } from "./selectors.js";
import { ApiError } from "./status.js";
import type { Store, StoreEvent } from "./store.js";
import { toTable, wantsTable } from "./table.js";

export function watch(store: Store, req: KubeRequest, res: ServerResponse): void {
  const { rt, ns, query } = req;
  const table = wantsTable(req.accept);
  const byLabel = labelSelector(query.get("labelSelector"));
  const byField = fieldSelector(query.get("fieldSelector"));
  const wanted = (o: KubeObject): boolean =>
    (ns === undefined || o.metadata.namespace === ns) && byLabel(o) && byField(o);
  const send = (type: string, object: KubeObject | Record<string, unknown>): boolean => {
    const out =
      table && type !== "ERROR" && type !== "BOOKMARK"
        ? toTable(
            rt,
            [object as KubeObject],
            String((object as KubeObject).metadata.resourceVersion),
            query.get("includeObject"),
          )
        : object;
    return res.write(`${JSON.stringify({ type, object: out })}\n`);
  };

  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache" });
  const unsubscribe = store.subscribe((e: StoreEvent) => {
    if (e.plural === rt.plural && wanted(e.object)) send(e.type, e.object);
  });
  const timeout = Number(query.get("timeoutSeconds") ?? 0);
  const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
  res.on("close", () => {
    unsubscribe();
    clearTimeout(timer);
  });

  const from = query.get("resourceVersion");
  if (!from || from === "0" || query.get("sendInitialEvents") === "true") {
    // No resourceVersion: the current state as ADDED events first.
    for (const o of store.list(rt, ns)) if (wanted(o)) send("ADDED", o);
    if (query.get("sendInitialEvents") === "true" && query.get("allowWatchBookmarks") === "true")
      send("BOOKMARK", {
        kind: rt.kind,
        apiVersion: apiVersionOf(rt),
        metadata: { resourceVersion: String(store.rv), annotations: { "k8s.io/initial-events-end": "true" } },
      });
    return;
  }
  const past = store.since(Number(from));
  if (!past) {
    send("ERROR", new ApiError(410, "Expired", `too old resource version: ${from} (${store.rv})`).toStatus());
    res.end();
    return;
  }
  for (const e of past) if (e.plural === rt.plural && wanted(e.object)) send(e.type, e.object);
}
