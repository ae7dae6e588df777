import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Health } from "./loop-types.js";

/**
 * The controller's HTTP endpoints, for the kubelet and Prometheus: `/healthz` (liveness: the loop runs and has moved
 * recently), `/readyz` (readiness: the last poll reached GitHub and the cluster), `/metrics` (Prometheus text). GET
 * and HEAD only; nothing else is served (404), and no request body is read.
 */
export interface ControllerServerOptions {
  host: string;
  /** 0: any free port (tests). */
  port: number;
  health(): Health;
  metrics(): Promise<string>;
  metricsContentType: string;
}

export interface ControllerServer {
  port: number;
  close(): Promise<void>;
}

export function startControllerServer(o: ControllerServerOptions): Promise<ControllerServer> {
  const server = createServer((req, res) => void answer(o, req, res));
  // A probe or a scrape is one short exchange: never let a slow client hold a socket.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function answer(o: ControllerServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "GET or HEAD only\n", { allow: "GET, HEAD" });
  if (path === "/healthz") {
    const h = o.health();
    return send(res, h.alive ? 200 : 503, h.alive ? "ok\n" : `${h.liveness}\n`);
  }
  if (path === "/readyz") {
    const h = o.health();
    return send(res, h.ready ? 200 : 503, `${h.ready ? "ready" : "not ready"}: ${h.readiness}\n`);
  }
  if (path === "/metrics") {
    try {
      return send(res, 200, await o.metrics(), { "content-type": o.metricsContentType });
    } catch (e) {
      return send(res, 500, `${(e as Error).message}\n`);
    }
  }
  return send(res, 404, "not found: /healthz, /readyz, /metrics\n");
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers });
  res.end(res.req.method === "HEAD" ? undefined : body);
}
