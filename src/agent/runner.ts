/**
 * Kubernetes' bounded-frequency runner (kube-network-policies pkg/runner/bounded_frequency_runner.go, STYLE habit
 * 12), small: `request()` asks for a sync; bursts of requests coalesce into one run no sooner than `minInterval`
 * after the previous run; a failed run is retried after `retryInterval`; with no requests a run still happens every
 * `maxInterval` (the periodic resync). Runs never overlap. Timers are injected so tests drive the clock.
 */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface RunnerOptions {
  minIntervalMs: number;
  maxIntervalMs: number;
  retryIntervalMs: number;
  timers?: Timers;
}

export class BoundedFrequencyRunner {
  private lastRun = Number.NEGATIVE_INFINITY;
  private timer: unknown;
  private timerAt = Number.POSITIVE_INFINITY;
  private running = false;
  private pending = false;
  private stopped = false;
  private readonly timers: Timers;

  /** `fn` returns false (or throws) when the run failed and should be retried. */
  constructor(
    private readonly fn: () => Promise<boolean>,
    private readonly options: RunnerOptions,
  ) {
    this.timers = options.timers ?? realTimers;
  }

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
  }

  /** A change happened: sync soon, but not more often than minInterval. */
  request(): void {
    if (this.running) {
      this.pending = true;
      return;
    }
    this.schedule(Math.max(0, this.lastRun + this.options.minIntervalMs - this.timers.now()));
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    const at = this.timers.now() + delay;
    if (at >= this.timerAt) return; // an earlier run is already due: the request coalesces into it
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = this.timers.setTimeout(() => void this.runNow(), delay);
  }

  private async runNow(): Promise<void> {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.running = true;
    this.pending = false;
    this.lastRun = this.timers.now();
    let ok = false;
    try {
      ok = await this.fn();
    } catch {
      ok = false;
    }
    this.running = false;
    if (this.stopped) return;
    if (!ok) this.schedule(this.options.retryIntervalMs);
    else if (this.pending) this.schedule(this.options.minIntervalMs);
    else this.schedule(this.options.maxIntervalMs);
  }
}
