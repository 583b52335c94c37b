/**
 * Applies a drawn fault to one HTTP request at the edge or the Kubernetes stand-in: waits the added latency,
 * answers with the service's throttle/5xx, closes the connection unanswered, or lets the service handle the
 * request and then closes the connection instead of answering ("the call succeeds but the caller never hears").
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CallFault } from "./decide.js";
import type { Reply } from "./replies.js";

/** What the caller should do next: `handled` (the fault answered), or `serve` (handle the request as usual). */
export async function injectFault(
  fault: CallFault,
  req: IncomingMessage,
  res: ServerResponse,
  reply: (kind: "throttle" | "serverError", status5xx: 500 | 503) => Reply,
): Promise<"handled" | "serve"> {
  if (fault.latencyMs > 0) await new Promise((r) => setTimeout(r, fault.latencyMs));
  switch (fault.kind) {
    case "throttle":
    case "serverError": {
      const r = reply(fault.kind, Math.random() < 0.5 ? 500 : 503);
      res.writeHead(r.status, r.headers);
      res.end(r.body);
      return "handled";
    }
    case "drop":
      req.socket.destroy();
      return "handled";
    case "lostResponse":
      loseResponse(res);
      return "serve";
    default:
      return "serve";
  }
}

/** Whatever the handler answers is discarded; when it finishes, the connection is closed unanswered. */
function loseResponse(res: ServerResponse): void {
  const socket = res.socket;
  const r = res as unknown as Record<string, unknown>;
  r.writeHead = () => res;
  r.flushHeaders = () => {};
  r.write = (_chunk: unknown, ...rest: unknown[]) => {
    const cb = rest.find((x) => typeof x === "function") as (() => void) | undefined;
    cb?.();
    return true;
  };
  r.end = (...args: unknown[]) => {
    const cb = args.find((x) => typeof x === "function") as (() => void) | undefined;
    socket?.destroy();
    cb?.();
    return res;
  };
}
