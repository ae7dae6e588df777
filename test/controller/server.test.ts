import { afterEach, describe, expect, test } from "@jest/globals";
import type { Health } from "../../src/controller/loop.js";
import { ControllerMetrics } from "../../src/controller/metrics.js";
import { startControllerServer, type ControllerServer } from "../../src/controller/server.js";

/** The probes' and Prometheus's endpoints, over real HTTP on 127.0.0.1. */
let server: ControllerServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(health: Health, metrics = new ControllerMetrics()): Promise<string> {
  server = await startControllerServer({ host: "127.0.0.1", port: 0, health: () => health, metrics: () => metrics.text(), metricsContentType: metrics.contentType });
  return `http://127.0.0.1:${server.port}`;
}

async function get(url: string, method = "GET"): Promise<[number, string, string | null]> {
  const r = await fetch(url, { method });
  return [r.status, await r.text(), r.headers.get("content-type")];
}

describe("the controller's HTTP endpoints", () => {
  test("/healthz and /readyz answer 200 when alive and ready", async () => {
    const url = await start({ alive: true, ready: true, liveness: "the loop is running", readiness: "the last poll reached GitHub and the cluster" });
    expect(await get(`${url}/healthz`)).toEqual([200, "ok\n", "text/plain; charset=utf-8"]);
    expect(await get(`${url}/readyz`)).toEqual([200, "ready: the last poll reached GitHub and the cluster\n", "text/plain; charset=utf-8"]);
  });

  test("503 with the reason when the loop has stalled, or the last poll could not reach the cluster", async () => {
    const url = await start({ alive: false, ready: false, liveness: "the loop has not moved for 901 s", readiness: "the last poll could not reach the cluster" });
    expect(await get(`${url}/healthz`)).toEqual([503, "the loop has not moved for 901 s\n", "text/plain; charset=utf-8"]);
    expect((await get(`${url}/readyz`)).slice(0, 2)).toEqual([503, "not ready: the last poll could not reach the cluster\n"]);
  });

  test("/metrics serves the controller's own registry in Prometheus text", async () => {
    const metrics = new ControllerMetrics();
    metrics.handled({ environment: "production", task: "promote", outcome: "converged", seconds: 1.5 });
    metrics.wrote([{ verb: "update", kind: "NetworkPolicy" }]);
    const url = await start({ alive: true, ready: true, liveness: "", readiness: "" }, metrics);
    const [status, body, type] = await get(`${url}/metrics`);
    expect(status).toBe(200);
    expect(type).toBe(metrics.contentType);
    expect(body).toContain('tierguard_controller_syncs_total{environment="production",task="promote",outcome="converged"} 1');
    expect(body).toContain('tierguard_controller_writes_total{verb="update",kind="NetworkPolicy"} 1');
    expect(body).toContain("# TYPE tierguard_controller_deployment_duration_seconds histogram");
    // Its own registry: prom-client's global one (and so any other component's metrics) is not in it.
    expect(body).not.toContain("process_cpu");
  });

  test("anything else: 404; a method other than GET or HEAD: 405; HEAD gets no body", async () => {
    const url = await start({ alive: true, ready: true, liveness: "", readiness: "" });
    expect((await get(`${url}/`))[0]).toBe(404);
    expect((await get(`${url}/healthz/../admin`))[0]).toBe(404);
    expect((await get(`${url}/healthz`, "POST")).slice(0, 2)).toEqual([405, "GET or HEAD only\n"]);
    expect((await get(`${url}/healthz`, "HEAD")).slice(0, 2)).toEqual([200, ""]);
  });
});
