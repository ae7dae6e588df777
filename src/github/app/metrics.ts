import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * The App's Prometheus metrics, in a registry of its own (never prom-client's global one: two Apps in one process,
 * as in the tests, must not share counters). Labels are kept to small, known sets: an unverified delivery's event
 * header is anyone's text, so it is counted as `unverified`, never by its name; a GitHub request is counted by
 * method and status, never by URL.
 */
export type DeliveryOutcome = "accepted" | "bad_signature" | "too_large" | "refused" | "failed";
/** Where an error was counted: a webhook handler that threw (500), any other route that threw, a review that failed. */
export type ErrorSource = "webhook" | "http" | "review";
export type ReviewOutcome = "completed" | "failed" | "stopped";

/** The event label of a delivery that was refused before its signature proved it came from GitHub. */
export const UNVERIFIED_EVENT = "unverified";

const REVIEW_BUCKETS = [1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200];

export interface AppMetricsOptions {
  /** Also Node's process metrics (CPU, memory, event loop lag, GC): prom-client's default collectors. Default false. */
  processMetrics?: boolean;
}

export class AppMetrics {
  readonly registry = new Registry();
  private readonly deliveries: Counter<"event" | "outcome">;
  private readonly inFlight: Gauge;
  private readonly duration: Histogram<"outcome">;
  private readonly requests: Counter<"method" | "status">;
  private readonly rateLimit: Gauge<"resource">;
  private readonly errors: Counter<"source">;

  constructor(o: AppMetricsOptions = {}) {
    const registers = [this.registry];
    this.deliveries = new Counter({ name: "tierguard_webhook_deliveries_total", help: "Webhook deliveries by event and outcome (accepted, bad_signature, too_large, refused, failed); refused ones count as event=\"unverified\".", labelNames: ["event", "outcome"], registers });
    this.inFlight = new Gauge({ name: "tierguard_reviews_in_flight", help: "Reviews running now.", registers });
    this.duration = new Histogram({ name: "tierguard_review_duration_seconds", help: "How long a review took, by outcome (completed, failed, stopped: superseded or past its deadline).", labelNames: ["outcome"], buckets: REVIEW_BUCKETS, registers });
    this.requests = new Counter({ name: "tierguard_github_requests_total", help: "Requests to the GitHub API by method and HTTP status (0: no answer).", labelNames: ["method", "status"], registers });
    this.rateLimit = new Gauge({ name: "tierguard_github_rate_limit_remaining", help: "x-ratelimit-remaining of the latest GitHub answer, by x-ratelimit-resource.", labelNames: ["resource"], registers });
    this.errors = new Counter({ name: "tierguard_errors_total", help: "Errors by where they happened (webhook: a handler threw; http: another route threw; review: a review failed).", labelNames: ["source"], registers });
    if (o.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  delivery(event: string, outcome: DeliveryOutcome): void {
    this.deliveries.inc({ event, outcome });
  }

  error(source: ErrorSource): void {
    this.errors.inc({ source });
  }

  /** One answer (or failure: status 0) from GitHub, with the rate-limit headers it carried. */
  githubRequest(method: string, status: number, headers: Record<string, unknown> = {}): void {
    this.requests.inc({ method: method.toUpperCase(), status: String(status) });
    const remaining = Number(headers["x-ratelimit-remaining"]);
    if (headers["x-ratelimit-remaining"] !== undefined && Number.isFinite(remaining)) this.rateLimit.set({ resource: String(headers["x-ratelimit-resource"] ?? "core") }, remaining);
  }

  /**
   * `run` (the review runner), measured: in flight while it runs, its duration by outcome. A review whose own
   * progress callback threw was stopped by its job (superseded, or past its deadline), not failed.
   */
  measureReview<Req extends { progress?: (stage: string) => Promise<void> }, Res>(run: (req: Req) => Promise<Res>): (req: Req) => Promise<Res> {
    return async (req) => {
      let stopped = false;
      const progress = req.progress;
      const watched = progress ? { ...req, progress: (stage: string) => progress(stage).catch((e: unknown) => ((stopped = true), Promise.reject(e))) } : req;
      const end = this.duration.startTimer();
      this.inFlight.inc();
      try {
        const result = await run(watched);
        end({ outcome: "completed" });
        return result;
      } catch (e) {
        end({ outcome: stopped ? "stopped" : "failed" });
        if (!stopped) this.error("review");
        throw e;
      } finally {
        this.inFlight.dec();
      }
    };
  }

  /** `GET /metrics`: the registry in Prometheus' text format. */
  handler(): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
    return async (req, res) => {
      if (req.method !== "GET" || req.url?.split("?")[0] !== "/metrics") return false;
      const text = await this.registry.metrics();
      res.writeHead(200, { "content-type": this.registry.contentType }).end(text);
      return true;
    };
  }
}

interface HookedOctokit {
  hook: {
    after(name: "request", fn: (response: { status: number; headers: Record<string, unknown> }, options: { method: string }) => void): void;
    error(name: "request", fn: (error: unknown, options: { method: string }) => unknown): void;
  };
}

/**
 * An Octokit plugin (`Octokit.plugin(...)`) that counts every request to GitHub, its retries and the installation
 * token requests included, and keeps the rate limit GitHub reports.
 */
export function octokitMetrics(metrics: AppMetrics): (octokit: HookedOctokit) => Record<string, never> {
  return (octokit) => {
    octokit.hook.after("request", (response, options) => metrics.githubRequest(options.method, response.status, response.headers));
    octokit.hook.error("request", (error, options) => {
      const e = error as { status?: unknown; response?: { headers?: Record<string, unknown> } };
      metrics.githubRequest(options.method, typeof e?.status === "number" ? e.status : 0, e?.response?.headers ?? {});
      throw error;
    });
    return {};
  };
}
