import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Listens on loopback (port 0 = any free port) and returns the base URL. */
export function listen(server: Server, port = 0, host = "127.0.0.1"): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const { port: actual } = server.address() as AddressInfo;
      resolve(`http://${host}:${actual}`);
    });
  });
}

/** Closes a server, dropping keep-alive sockets so shutdown is immediate. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}
