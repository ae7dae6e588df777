import { createServer, type Server } from "node:http";

/** `/metrics` (Prometheus text) and `/healthz` (200 once a ruleset is enforced, 503 before or after a failure). */
export function startMetricsServer(port: number, host: string, metrics: () => Promise<string>, healthy: () => boolean): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === "/metrics") {
      metrics().then(
        (text) => {
          res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
          res.end(text);
        },
        (e: Error) => {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(`${e.message}\n`);
        },
      );
      return;
    }
    if (req.url === "/healthz") {
      const ok = healthy();
      res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" });
      res.end(ok ? "ok\n" : "no ruleset enforced\n");
      return;
    }
    res.writeHead(404);
    res.end();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
