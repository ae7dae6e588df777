import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { createHmac } from "node:crypto";
import { createServer } from "node:net";
import nock from "nock";
import { pino } from "pino";
import { startApp } from "../../../src/cli/app.js";
import type { CliIo } from "../../../src/cli/io.js";
import { AppMetrics, appReadiness } from "../../../src/github/app/index.js";
import { API, privateKey, useStrictNock } from "../../helpers/probot-app.js";

/**
 * The App as a service: `tierguard app` (startApp, in this process, GitHub mocked) answers /healthz, /readyz and
 * /metrics next to /ping and the webhook route; the metrics live in a registry of their own.
 */
useStrictNock({ allowLocalhost: true });
const SECRET = "service-test-secret";
const lines: string[] = [];
const io: CliIo = { stdout: () => {}, stderr: () => {}, stderrIsTTY: false, cwd: process.cwd(), now: () => 0 };

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

let base: string;
let stop: () => Promise<void>;
let metrics: AppMetrics;

beforeAll(async () => {
  const port = await freePort();
  metrics = new AppMetrics({ processMetrics: true });
  const log = pino({ level: "trace" }, { write: (s: string) => void lines.push(s) });
  const { server } = await startApp({ APP_ID: "12345", PRIVATE_KEY: privateKey(), WEBHOOK_SECRET: SECRET, HOST: "127.0.0.1", PORT: String(port) }, io, { log, metrics });
  base = `http://127.0.0.1:${port}`;
  stop = () => server.stop();
});
afterAll(() => stop());

const post = (body: string, signature: string, event = "ping") =>
  fetch(`${base}/api/github/webhooks`, { method: "POST", headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": `d-${event}-${signature.length}`, "x-hub-signature-256": signature }, body });
const sign = (body: string) => `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;

describe("the service routes", () => {
  test("/healthz: 200 while the process answers; /ping still PONG", async () => {
    const health = await fetch(`${base}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, "ok\n"]);
    const ping = await fetch(`${base}/ping`);
    expect([ping.status, await ping.text()]).toEqual([200, "PONG"]);
  });

  test("/readyz: ready when the key loads and GitHub answers GET /app as the App; the answer is reused", async () => {
    nock(API).get("/app").matchHeader("authorization", /^bearer /i).reply(200, { id: 12345, slug: "tierguard" }, { "x-ratelimit-remaining": "4999", "x-ratelimit-resource": "core" });
    const first = await fetch(`${base}/readyz`);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      ready: true,
      checks: [
        { name: "private-key", ok: true, message: "the private key loads (rsa)" },
        { name: "github", ok: true, message: "GitHub answers GET /app for this App" },
      ],
    });
    // Within 30 s the answer is reused: a second GitHub request would find no interceptor and fail the test.
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  test("/metrics: deliveries by event and outcome, GitHub requests and rate limit, reviews, process metrics", async () => {
    const body = JSON.stringify({ zen: "hello", hook_id: 1 });
    expect((await post(body, sign(body))).status).toBe(200);
    expect((await post(body, sign(`${body} `))).status).toBe(400);
    expect((await post(body, sign(`${body} `), "whatever_anyone_sends")).status).toBe(400);
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const samples = text.split("\n").filter((l) => l.startsWith("tierguard_") && !l.startsWith("tierguard_review_duration_seconds_bucket"));
    expect(samples).toEqual(
      expect.arrayContaining([
        'tierguard_webhook_deliveries_total{event="ping",outcome="accepted"} 1',
        'tierguard_webhook_deliveries_total{event="unverified",outcome="bad_signature"} 2',
        "tierguard_reviews_in_flight 0",
        'tierguard_github_requests_total{method="GET",status="200"} 1',
        'tierguard_github_rate_limit_remaining{resource="core"} 4999',
      ]),
    );
    // An unsigned request's event header never becomes a label.
    expect(text).not.toContain("whatever_anyone_sends");
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
  });
});

describe("AppMetrics", () => {
  const sample = async (m: AppMetrics, name: string) => (await m.registry.metrics()).split("\n").filter((l) => l.startsWith(name));

  test("a review is in flight while it runs; completed, failed and stopped (its own progress threw) are told apart", async () => {
    const m = new AppMetrics();
    let inside: string[] = [];
    const ok = m.measureReview(async (req: { progress?: (s: string) => Promise<void> }) => {
      await req.progress?.("stage");
      inside = await sample(m, "tierguard_reviews_in_flight");
      return "done";
    });
    await expect(ok({ progress: async () => {} })).resolves.toBe("done");
    expect(inside).toEqual(["tierguard_reviews_in_flight 1"]);
    const broken = m.measureReview(async () => Promise.reject(new Error("GitHub answered 500")));
    await expect(broken({})).rejects.toThrow("GitHub answered 500");
    const superseded = m.measureReview(async (req: { progress?: (s: string) => Promise<void> }) => void (await req.progress?.("stage")));
    await expect(superseded({ progress: async () => Promise.reject(new Error("stopped by its job")) })).rejects.toThrow("stopped by its job");
    expect(await sample(m, "tierguard_review_duration_seconds_count")).toEqual([
      'tierguard_review_duration_seconds_count{outcome="completed"} 1',
      'tierguard_review_duration_seconds_count{outcome="failed"} 1',
      'tierguard_review_duration_seconds_count{outcome="stopped"} 1',
    ]);
    expect(await sample(m, "tierguard_errors_total")).toEqual(['tierguard_errors_total{source="review"} 1']);
    expect(await sample(m, "tierguard_reviews_in_flight")).toEqual(["tierguard_reviews_in_flight 0"]);
  });

  test("two registries never share a counter (not prom-client's global registry)", async () => {
    const a = new AppMetrics();
    const b = new AppMetrics();
    a.delivery("ping", "accepted");
    expect(await sample(b, "tierguard_webhook_deliveries_total{")).toEqual([]);
    expect(await sample(a, "tierguard_webhook_deliveries_total{")).toEqual(['tierguard_webhook_deliveries_total{event="ping",outcome="accepted"} 1']);
  });
});

describe("readiness", () => {
  test("a key that does not load: not ready, and GitHub is not asked", async () => {
    const reach = jest.fn(async () => {});
    const state = await appReadiness({ privateKey: "-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----\n", reachGitHub: reach })();
    expect(state.ready).toBe(false);
    expect(state.checks.map((c) => [c.name, c.ok])).toEqual([["private-key", false], ["github", false]]);
    expect(state.checks[0].message).toMatch(/^the private key does not load: /);
    expect(state.checks[0].message).not.toContain("bm90IGEga2V5");
    expect(reach).not.toHaveBeenCalled();
  });

  test("GitHub refusing the App's JWT (401): not ready, with what to check; concurrent probes share one question; the cache expires", async () => {
    let now = 0;
    const reach = jest.fn(async () => Promise.reject(Object.assign(new Error("A JSON web token could not be decoded"), { status: 401 })));
    const readiness = appReadiness({ privateKey: privateKey(), reachGitHub: reach, now: () => now });
    const [a, b] = await Promise.all([readiness(), readiness()]);
    expect(a).toBe(b);
    expect(reach).toHaveBeenCalledTimes(1);
    expect(a.checks[1]).toEqual({ name: "github", ok: false, message: "GitHub did not answer GET /app (HTTP 401): A JSON web token could not be decoded: GitHub refused the App's credentials (check APP_ID and the private key)" });
    now = 29_999;
    await readiness();
    expect(reach).toHaveBeenCalledTimes(1);
    now = 30_000;
    await readiness();
    expect(reach).toHaveBeenCalledTimes(2);
  });

  test("GitHub silent: not ready after the check's own timeout, not the probe's", async () => {
    const readiness = appReadiness({ privateKey: privateKey(), reachGitHub: () => new Promise(() => {}), timeoutMs: 50 });
    expect((await readiness()).checks[1]).toEqual({ name: "github", ok: false, message: "GitHub did not answer GET /app: no answer within 50 ms" });
  });
});
