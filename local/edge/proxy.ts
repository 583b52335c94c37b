import type { IncomingMessage, ServerResponse } from "node:http";
import { request } from "node:http";

/** Forwards a buffered request to an emulator's private listener and streams the answer back. */
export function proxy(
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
  upstream: string,
): Promise<void> {
  const target = new URL(req.url ?? "/", upstream);
  return new Promise((resolve) => {
    const headers = { ...req.headers, host: target.host, "content-length": String(body.length) };
    delete headers["transfer-encoding"];
    const out = request(target, { method: req.method, headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
      upRes.on("end", resolve);
      upRes.on("error", resolve);
    });
    out.on("error", (err) => {
      if (!res.headersSent) {
        res.writeHead(502, { "content-type": "application/json" });
      }
      res.end(JSON.stringify({ __type: "ServiceUnavailable", message: `upstream failed: ${err.message}` }));
      resolve();
    });
    out.end(body);
  });
}
