import type { Log } from "../../contracts/index.js";
import { KubeError } from "../port.js";
import { isTransient, toKubeError } from "./errors.js";

/**
 * Bounded retries of one API call: 429 (after Retry-After when the server sends one) and 5xx (and no answer) are
 * tried again, at most `tries` times in all, waiting `baseMs` and doubling up to `capMs` (the 5 tries, 5 s
 * doubling, 3 min cap). Everything else, 409 included, goes straight back to the caller. The sleep is injected so
 * tests run instantly and see the delays.
 */
export interface RetryPolicy {
  tries: number;
  baseMs: number;
  capMs: number;
  sleep: (ms: number) => Promise<void>;
  log?: Log;
}

export const DEFAULT_RETRY: Omit<RetryPolicy, "sleep"> = { tries: 5, baseMs: 5_000, capMs: 180_000 };
export const realSleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));

/** The pause before try `attempt + 1` (attempt counts from 1). */
export function retryDelay(policy: Pick<RetryPolicy, "baseMs" | "capMs">, attempt: number, err: KubeError): number {
  const backoff = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
  // The server's Retry-After (429, and 503 when it sends one) wins over our own backoff, within the same cap.
  if (err.retryAfter !== undefined) return Math.min(policy.capMs, err.retryAfter * 1000);
  return backoff;
}

export async function withRetry<T>(what: string, call: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      const err = toKubeError(e, what);
      if (!isTransient(err) || attempt >= policy.tries) throw err;
      const ms = retryDelay(policy, attempt, err);
      policy.log?.warn({ call: what, status: err.status, reason: err.reason, attempt, retryInMs: ms }, `kube: ${what} failed (${err.status}); retrying`);
      await policy.sleep(ms);
    }
  }
}
