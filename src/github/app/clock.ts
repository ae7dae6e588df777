/** Time, injected so tests decide it: check-run timestamps and how often progress is written. */
export interface Clock {
  now(): Date;
}

export const SYSTEM_CLOCK: Clock = { now: () => new Date() };

/** Waiting, injected so tests need not wait: the backoff between tries of a conclusion. */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How long work may take and how hard a conclusion is tried (the App's `TierguardAppOptions` set them).
 * Worst cases with the defaults are worked out in review-job.ts.
 */
export interface AppTiming {
  /** A review still running after this is abandoned and its check run fails, saying so. */
  reviewDeadlineMs: number;
  /** Tries of a check run's conclusion (each try is itself retried by Octokit on 5xx). */
  conclusionTries: number;
  /** Wait before the second try; doubled before each further one. */
  conclusionBackoffMs: number;
  sleep: Sleep;
}

export const DEFAULT_TIMING: AppTiming = { reviewDeadlineMs: 10 * 60_000, conclusionTries: 5, conclusionBackoffMs: 2000, sleep: realSleep };
