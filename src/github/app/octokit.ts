import { ProbotOctokit } from "probot";

/**
 * The Octokit class the App runs with: Probot's (retry and throttling plugins included), with rate-limit handlers
 * that retry a bounded number of times and log each wait. Probot's own handlers never retry a secondary rate limit;
 * these do, after the `retry-after` GitHub sends, up to `maxRetries` times and never for longer than `maxWaitSeconds`
 * at once (a primary limit that resets in an hour fails the job instead, and its check run says why).
 * 500s and other transient errors are retried by @octokit/plugin-retry (3 times, growing waits).
 */
export interface RateLimitPolicy {
  maxRetries: number;
  maxWaitSeconds: number;
}

export const DEFAULT_RATE_LIMIT_POLICY: RateLimitPolicy = { maxRetries: 3, maxWaitSeconds: 15 * 60 };

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

export function tierguardOctokit(base: typeof ProbotOctokit = ProbotOctokit, policy: RateLimitPolicy = DEFAULT_RATE_LIMIT_POLICY): typeof ProbotOctokit {
  return base.defaults((options: Record<string, any>) => ({
    ...options,
    throttle: {
      ...options.throttle,
      onRateLimit: rateLimitHandler("rate limit", policy),
      onSecondaryRateLimit: rateLimitHandler("secondary rate limit", policy),
    },
  })) as typeof ProbotOctokit;
}
