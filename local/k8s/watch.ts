/** ?watch=true: a chunked stream of JSON lines `{"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{…}}`. */
import type { ServerResponse } from "node:http";
import { apiVersionOf, type KubeObject, type ResourceType } from "./resources.js";
import { ApiError } from "./status.js";
import type { Store, StoreEvent } from "./store.js";
import { fieldSelector, labelSelector } from "./selectors.js";

export function watch(store: Store, rt: ResourceType, ns: string | undefined, query: URLSearchParams, res: ServerResponse): void {
  const byLabel = labelSelector(query.get("labelSelector"));
  const byField = fieldSelector(query.get("fieldSelector"));
  const wanted = (o: KubeObject): boolean => (ns === undefined || o.metadata.namespace === ns) && byLabel(o) && byField(o);
  const send = (type: string, object: unknown): boolean => res.write(`${JSON.stringify({ type, object })}\n`);

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
