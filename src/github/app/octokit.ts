import { ProbotOctokit } from "probot";
import { scrub } from "./log.js";

/**
 * The Octokit class the App runs with: Probot's (retry and throttling plugins included), with
 *
 * - rate-limit handlers that retry a bounded number of times and log each wait. Probot's own handlers never retry a
 *   secondary rate limit; these do, after the `retry-after` GitHub sends, up to `maxRetries` times and never for
 *   longer than `maxWaitSeconds` at once (a primary limit that resets in an hour fails the job instead, and its
 *   check run says why). 500s and other transient errors are retried by @octokit/plugin-retry (3 times, waiting
 *   1, 4 and 9 s).
 * - a timeout on every HTTP exchange (headers and body), the installation-token request included: without one, a
 *   GitHub endpoint that never answers holds a review until undici's 300 s headers timeout, four times over with
 *   the retries, and is then reported as an HTTP 500. A timed-out request is not retried (an endpoint silent for
 *   30 s is not a blip), and it fails with a `GitHubTimeoutError` that names the request and the time waited.
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

/** Time one request to GitHub may take, headers and body. Set per class with `request: { timeoutMs }` (below). */
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

/**
 * A request to GitHub that got no complete answer in time. Its name is `AbortError` on purpose: @octokit/request
 * rethrows an abort as it is instead of wrapping it into an HTTP 500, and @octokit/plugin-retry does not retry it.
 * @octokit/request also sets `status = 500` on it; that write is ignored, so nothing reports a timeout as a 500.
 */
export class GitHubTimeoutError extends Error {
  override readonly name = "AbortError";

  constructor(
    readonly method: string,
    readonly path: string,
    readonly timeoutMs: number,
  ) {
    super(`GitHub did not answer ${method} ${path} within ${formatDuration(timeoutMs)}`);
  }

  get status(): undefined {
    return undefined;
  }

  set status(_ignored: unknown) {
    // see the class comment
  }
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000 || ms % 60_000 !== 0) return `${Math.round(ms / 100) / 10} s`;
  return `${ms / 60_000} min`;
}

/** The slice of fetch this uses (typed here: the global fetch types differ with the libraries installed). */
interface FetchInit {
  method?: string;
  signal?: AbortSignal | null;
  [option: string]: unknown;
}
type Fetch = (input: string | URL | { url: string }, init?: FetchInit) => Promise<{ status: number }>;
const globalFetch = (): Fetch => globalThis.fetch as unknown as Fetch;

interface WarnLog {
  warn(obj: unknown, msg?: string): void;
}

const INNER = Symbol("tierguard.innerFetch");
type TimedFetch = Fetch & { [INNER]?: Fetch };

/** `fetch` with a timeout per exchange and a warning for every failure. `inner` defaults to the global fetch at call time (nock replaces it). */
export function timedFetch(o: { timeoutMs: number; inner?: Fetch; log?: WarnLog }): Fetch {
  const timed: TimedFetch = async (input, init = {}) => {
    const method = (init.method ?? "GET").toUpperCase();
    const path = requestPath(input);
    const timer = AbortSignal.timeout(o.timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timer]) : timer;
    let onAbort: () => void = () => {};
    // Raced as well as passed on: a fetch that ignores its signal still cannot hold the request past the timeout.
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => reject(timer.aborted ? new GitHubTimeoutError(method, path, o.timeoutMs) : signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      const response = await Promise.race([(o.inner ?? globalFetch())(input, { ...init, signal }), aborted]);
      if (response.status >= 500) o.log?.warn({ method, path, status: response.status }, `GitHub answered HTTP ${response.status} to ${method} ${path}`);
      return response;
    } catch (e) {
      const error = timer.aborted ? new GitHubTimeoutError(method, path, o.timeoutMs) : e;
      o.log?.warn({ method, path, err: { message: scrub(String((error as Error)?.message ?? error)) } }, `GitHub request failed: ${method} ${path}`);
      throw error;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  };
  timed[INNER] = o.inner;
  return timed;
}

function requestPath(input: Parameters<Fetch>[0]): string {
  const url = typeof input === "string" ? input : "href" in input ? input.href : input.url;
  try {
    return scrub(new URL(url).pathname);
  } catch {
    return scrub(url);
  }
}

interface Hookable {
  hook: { wrap(name: "request", fn: (request: (o: any) => Promise<unknown>, options: any) => Promise<unknown>): void };
}

/**
 * The installation-token request runs through the hooks of the request that needed the token, the retry plugin's
 * included: a token endpoint answering 500 was retried 4 times inside each of the outer request's 4 attempts (16
 * requests and about a minute per API call). The outer request's retries are enough.
 */
export function tokenRetriedOnce(octokit: Hookable): Record<string, never> {
  octokit.hook.wrap("request", (request, options) => {
    if (typeof options?.url === "string" && /\/app\/installations\/[^/]+\/access_tokens$/.test(options.url)) {
      options.request = { ...options.request, retries: 0 };
    }
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
  return base.plugin(tokenRetriedOnce as never).defaults((options: Record<string, any>) => {
    const timeoutMs: number = options.request?.timeoutMs ?? o.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    // Probot builds each installation's Octokit from another's options: unwrap, so timeouts never nest.
    const given = options.request?.fetch as TimedFetch | undefined;
    const inner = given && INNER in given ? given[INNER] : given;
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
