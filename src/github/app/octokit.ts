import { ProbotOctokit } from "probot";
import { innerFetch, timedFetch } from "./timed-fetch.js";

export { GitHubTimeoutError } from "./timed-fetch.js";

/**
 * The Octokit class the App runs with: Probot's (retry and throttling plugins included), with
 *
 * - rate-limit handlers that retry a bounded number of times and log each wait. Probot's own handlers never retry a
 *   secondary rate limit; these do, after the `retry-after` GitHub sends, up to `maxRetries` times and never for
 *   longer than `maxWaitSeconds` at once (a primary limit that resets in an hour fails the job instead, and its
 *   check run says why). 500s and other transient errors are retried by @octokit/plugin-retry (3 times, waiting
 *   1, 4 and 9 s).
 * - a timeout on every HTTP exchange, the installation-token request included (timed-fetch.ts): GitHub must start
 *   answering within `request.timeoutMs` (30 s by default) and never fall silent that long while sending a body.
 *   A timed-out request is not retried, and fails with a `GitHubTimeoutError` naming the request and the time.
 * - a warning at once for every 5xx answer and network failure, before the retries wait: the first log line of a
 *   failing GitHub must not come minutes later, when the retries are spent.
 *
 * The fetch is installed in the Octokit's `request.fetch` default because that is the only option Octokit's
 * authentication hook passes on to the installation-token request; a per-call `request.signal` never reaches it.
 */
export interface RateLimitPolicy {
  maxRetries: number;
  maxWaitSeconds: number;
}

export const DEFAULT_RATE_LIMIT_POLICY: RateLimitPolicy = { maxRetries: 3, maxWaitSeconds: 15 * 60 };

/** How long GitHub may take to answer, or be silent within an answer. Set per class with `request: { timeoutMs }`. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

interface RequestOptions {
  method: string;
  url: string;
}

interface OctokitWithLog {
  log: { warn(obj: unknown, msg?: string): void };
}

export function rateLimitHandler(kind: "rate limit" | "secondary rate limit", policy: RateLimitPolicy) {
  return (retryAfter: number, options: RequestOptions, octokit: OctokitWithLog, retryCount: number): boolean => {
    const retry = retryCount < policy.maxRetries && retryAfter <= policy.maxWaitSeconds;
    octokit.log.warn(
      { method: options.method, url: options.url, retryAfter, retryCount, retry },
      retry ? `GitHub ${kind}: retrying ${options.method} ${options.url} in ${retryAfter} s` : `GitHub ${kind}: giving up on ${options.method} ${options.url}`,
    );
    return retry;
  };
}

interface Hookable {
  hook: { wrap(name: "request", fn: (request: (o: any) => Promise<unknown>, options: any) => Promise<unknown>): void };
}

/**
 * Each call gets its own `request` options. Octokit hands every call of an instance the same `request` object (its
 * defaults), and @octokit/plugin-retry writes its retry count into it: after one request had spent its retries, the
 * first retry of every later failing request waited 25 s instead of 1 s.
 *
 * And the installation-token request is retried once, not twice over: it runs through the hooks of the request that
 * needed the token, the retry plugin's included, so a token endpoint answering 500 was retried 4 times inside each
 * of the outer request's 4 attempts (16 requests, about a minute, per API call). The outer retries are enough.
 */
export function requestOptionsPerCall(octokit: Hookable): Record<string, never> {
  octokit.hook.wrap("request", (request, options) => {
    const token = typeof options?.url === "string" && /\/app\/installations\/[^/]+\/access_tokens$/.test(options.url);
    options.request = { ...options.request, ...(token ? { retries: 0 } : {}) };
    return request(options);
  });
  return {};
}

export interface TierguardOctokitOptions {
  rateLimit?: RateLimitPolicy;
  /** Default `request.timeoutMs` (an instance's own `request.timeoutMs` wins). */
  requestTimeoutMs?: number;
}

export function tierguardOctokit(base: typeof ProbotOctokit = ProbotOctokit, policy: RateLimitPolicy = DEFAULT_RATE_LIMIT_POLICY, o: TierguardOctokitOptions = {}): typeof ProbotOctokit {
  return base.plugin(requestOptionsPerCall as never).defaults((options: Record<string, any>) => {
    const timeoutMs: number = options.request?.timeoutMs ?? o.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    // Probot builds each installation's Octokit from another's options: unwrap, so timeouts never nest.
    const inner = innerFetch(options.request?.fetch);
    return {
      ...options,
      request: { ...options.request, timeoutMs, fetch: timedFetch({ timeoutMs, inner, log: options.log }) },
      throttle: {
        ...options.throttle,
        onRateLimit: rateLimitHandler("rate limit", o.rateLimit ?? policy),
        onSecondaryRateLimit: rateLimitHandler("secondary rate limit", o.rateLimit ?? policy),
      },
    };
  }) as typeof ProbotOctokit;
}
