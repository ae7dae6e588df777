import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Probot } from "probot";
import { describeError } from "./log.js";
import type { AppMetrics } from "./metrics.js";
import { boardRoute, type AppAuth, type BoardRouteOptions } from "./board-route.js";
import { webhookEdge, type EdgeLog, type RequestHandler, type WebhookEvent } from "./webhook-edge.js";

/**
 * The App's HTTP server: the webhook route (webhook-edge.ts: bounded, verified before parsed, never logging a
 * body), `GET /ping` (the health route, as Probot's) and 404 for anything else. Probot's own server cannot be used:
 * its webhook middleware always runs first and reads any body whole before checking it.
 */
export interface AppServerOptions {
  probot: Probot;
  secret: string;
  host: string;
  port: number;
  /** Default /api/github/webhooks. */
  webhookPath?: string;
  log: EdgeLog;
  maxBytes?: number;
  /** Routes tried after the webhook route and /ping: /healthz, /readyz, /metrics (health.ts, metrics.ts). */
  routes?: RequestHandler[];
  /** Counts deliveries by outcome and routes that threw. */
  metrics?: AppMetrics;
  /** Serve `GET /board/<owner>/<repo>` for these repositories (board-route.ts); undefined: no board route. */
  board?: BoardRouteOptions;
}

export interface AppServer {
  port: number;
  stop(): Promise<void>;
}

export const DEFAULT_WEBHOOK_PATH = "/api/github/webhooks";

export async function startAppServer(o: AppServerOptions): Promise<AppServer> {
  await o.probot.ready();
  const receive = (event: WebhookEvent) => o.probot.webhooks.receive(event as never);
  const handlers: RequestHandler[] = [webhookEdge({ secret: o.secret, path: o.webhookPath ?? DEFAULT_WEBHOOK_PATH, receive, log: o.log, maxBytes: o.maxBytes, metrics: o.metrics }), ping];
  if (o.board) handlers.push(boardRoute(o.board, ((id?: number) => o.probot.auth(id)) as unknown as AppAuth, o.log));
  return serveHandlers([...handlers, ...(o.routes ?? [])], o);
}

/** An HTTP server trying `handlers` in turn (404 when none answers); the App's, and the setup page's (setup.ts). */
export async function serveHandlers(handlers: RequestHandler[], o: { host: string; port: number; log: EdgeLog; metrics?: AppMetrics }): Promise<AppServer> {
  const server = createServer((req, res) => void handle(handlers, req, res, o.log, o.metrics));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => (server.off("error", reject), resolve()));
  });
  const port = (server.address() as AddressInfo).port;
  o.log.info({ host: o.host, port }, `listening on http://${o.host}:${port}`);
  return { port, stop: () => close(server) };
}

async function handle(handlers: RequestHandler[], req: IncomingMessage, res: ServerResponse, log: EdgeLog, metrics?: AppMetrics): Promise<void> {
  try {
    for (const h of handlers) if (await h(req, res)) return;
    res.writeHead(404, { "content-type": "text/plain" }).end("Not Found\n");
  } catch (e) {
    metrics?.error("http");
    log.error({ err: describeError(e), url: req.url }, "the request failed");
    if (!res.headersSent) res.writeHead(500).end();
  }
}

/** `GET /ping`: PONG, as Probot's. */
export const ping: RequestHandler = async (req, res) => {
  if (req.method !== "GET" || req.url?.split("?")[0] !== "/ping") return false;
  res.writeHead(200, { "content-type": "text/plain" }).end("PONG");
  return true;
};

/** Stops taking connections; idle keep-alive connections are closed so that it returns promptly. */
function close(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve, reject) => {
    server.close((e) => (e ? reject(e) : resolve()));
    server.closeIdleConnections();
  });
}
